using System.Text.Json;

namespace MiniRun.Images.Registry;

/// <summary>Reads a registry's error body (distribution-spec "Error Codes": {"errors":[{"code","message"}]}) into " (CODE: message)".</summary>
internal static class RegistryErrors
{
    private const int MaxBodyBytes = 64 * 1024;

    public static string Describe(HttpResponseMessage response)
    {
        try
        {
            using Stream body = response.Content.ReadAsStream();
            byte[] buffer = new byte[MaxBodyBytes];
            int length = body.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            RegistryErrorBody? parsed = JsonSerializer.Deserialize(buffer.AsSpan(0, length), RegistryJsonContext.Default.RegistryErrorBody);
            List<string> errors = (parsed?.Errors ?? [])
                .Select(e => string.Join(": ", new[] { e.Code, e.Message }.Where(s => !string.IsNullOrEmpty(s))))
                .Where(s => s.Length > 0)
                .Select(s => s.ReplaceLineEndings(" "))
                .ToList();
            return errors.Count == 0 ? "" : $" ({Shorten(string.Join("; ", errors))})";
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException or OperationCanceledException)
        {
            return "";
        }
    }

    private static string Shorten(string s) => s.Length > 200 ? s[..200] + "…" : s;
}
