using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Cli.Verbs;

/// <summary>Asks on the terminal for what login lacks, as docker's PromptUserForCredentials: the password without echo.</summary>
internal static class CredentialPrompt
{
    public static RegistryCredentials Complete(string user, string password, string? defaultUser)
    {
        if (user.Length > 0 && password.Length > 0) return new RegistryCredentials(user, password);
        if (Console.IsInputRedirected)
            throw new MiniRunException("Cannot perform an interactive login from a non TTY device (give -u USER and --password-stdin)");
        if (user.Length == 0)
        {
            Console.Out.Write(defaultUser is null ? "Username: " : $"Username ({defaultUser}): ");
            user = (Console.ReadLine() ?? "").Trim();
            if (user.Length == 0) user = defaultUser ?? "";
            if (user.Length == 0) throw new MiniRunException("Username cannot be empty");
        }
        if (password.Length == 0)
        {
            Console.Out.Write("Password: ");
            password = ReadHidden();
            Console.Out.WriteLine();
            if (password.Length == 0) throw new MiniRunException("Password Required");
        }
        return new RegistryCredentials(user, password);
    }

    /// <summary>One line, not echoed (ReadKey with intercept turns the terminal's echo off while it waits).</summary>
    private static string ReadHidden()
    {
        var typed = new System.Text.StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return typed.ToString();
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
    }
}
