using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ViaSocket.Server.Security;

/// <summary>
/// A workspace API key: <c>vso_&lt;keyId&gt;_&lt;secret&gt;</c>. The key id is public (it names the stored record);
/// the secret is 256 random bits, of which only a SHA-256 hash is stored. The key id is hex so the first <c>_</c>
/// after the prefix always ends it (the base64url secret may contain <c>_</c>).
/// </summary>
public sealed record ApiKey(string KeyId, string Secret)
{
    public const string Prefix = "vso_";
    private const int KeyIdBytes = 9;
    private const int SecretBytes = 32;

    public static ApiKey Generate() =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdBytes)), Base64Url(RandomNumberGenerator.GetBytes(SecretBytes)));

    public static bool TryParse(string? text, [NotNullWhen(true)] out ApiKey? key)
    {
        key = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length > 200)
        {
            return false;
        }

        var rest = text.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator <= 0 || separator == rest.Length - 1)
        {
            return false;
        }

        var keyId = rest[..separator].ToString();
        var secret = rest[(separator + 1)..].ToString();
        if (!keyId.All(char.IsAsciiHexDigitLower) || !IsBase64Url(secret))
        {
            return false;
        }

        key = new ApiKey(keyId, secret);
        return true;
    }

    public byte[] SecretHash() => SHA256.HashData(Encoding.UTF8.GetBytes(Secret));

    /// <summary>The full key, to show once at creation.</summary>
    public string Reveal() => Prefix + KeyId + "_" + Secret;

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => Prefix + KeyId + "_***";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool IsBase64Url(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
