// The base types (errors, digests, sizes, streams) are used everywhere: one using for the library.
global using MiniRun.Common;
