// The base types (errors, digests, sizes) are used everywhere.
global using MiniRun.Common;
