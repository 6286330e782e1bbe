using System.Globalization;

namespace ViaSocket.Domain.Workspaces;

/// <summary>
/// What a workspace's OAuth client may hold, and which connections may use it. A client is registered for one plugin:
/// any published version of it, or only the version it is pinned to.
/// </summary>
public static class OAuthClientRules
{
    public const int MaxClientsPerWorkspace = 100;
    public const int MaxNameLength = 200;
    public const int MaxClientIdLength = 512;
    public const int MaxSecretLength = 4096;

    /// <summary>
    /// As for a version's own secret: a shorter one could not be masked reliably in block output
    /// (<c>ViaSocket.Domain.Validation.ClientSecretExposure.MinSecretLength</c>).
    /// </summary>
    public const int MinSecretLength = Validation.ClientSecretExposure.MinSecretLength;

    /// <summary>The problem with a name, or null when it is fine.</summary>
    public static string? CheckName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && IsPlainText(name) && name.Trim().Length > 0
            ? null
            : $"name must be 1-{MaxNameLength} characters without control or format characters.";

    /// <summary>The problem with a provider client id (sent in URLs and Basic headers), or null when it is fine.</summary>
    public static string? CheckClientId(string? clientId) =>
        clientId is { Length: > 0 and <= MaxClientIdLength } && !clientId.Any(char.IsWhiteSpace) && IsPlainText(clientId)
            ? null
            : $"clientId must be 1-{MaxClientIdLength} characters without spaces, control or format characters.";

    /// <summary>The problem with a client secret, or null when it is fine. The message never contains the value.</summary>
    public static string? CheckSecret(string? secret) =>
        secret is { Length: >= MinSecretLength and <= MaxSecretLength } && !secret.Any(char.IsWhiteSpace) && IsPlainText(secret)
            ? null
            : $"clientSecret must be {MinSecretLength}-{MaxSecretLength} characters without spaces, control or format characters: use the secret the provider issued.";

    /// <summary>Whether a client registered for <paramref name="clientPluginId"/> (pinned to <paramref name="clientVersionId"/> when set) may serve a connection of that plugin and version.</summary>
    public static bool IsUsableFor(string clientPluginId, string? clientVersionId, string pluginId, string versionId) =>
        string.Equals(clientPluginId, pluginId, StringComparison.Ordinal)
        && (clientVersionId is null || string.Equals(clientVersionId, versionId, StringComparison.Ordinal));

    /// <summary>No control (line breaks that forge log lines) or format characters (zero-width, bidirectional controls).</summary>
    private static bool IsPlainText(string text) =>
        !text.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format);
}
