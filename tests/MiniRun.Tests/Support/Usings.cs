global using Xunit;
global using MiniRun.Tests.Support;
