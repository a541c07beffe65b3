global using Xunit;
global using MiniRun.Tests.Support;
global using MiniRun.Common;
