using System.Text;

namespace MiniRun.Images.Registry.Credentials;

/// <summary>A user name and password for one registry: what docker login stores and a pull sends (Basic, or for a token).</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    public string BasicHeaderValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>Hides the password from records printed in test failures and logs.</summary>
    public override string ToString() => $"RegistryCredentials {{ Username = {Username} }}";
}
