using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Tokens;

/// <summary>
/// The well-known members of an Access/Refresh Token API result (RFC 6749 section 5.1), as found at its
/// top level. Members a provider nests elsewhere are simply absent here; the raw result stays in authData.
/// </summary>
public sealed record TokenResponse
{
    public string? AccessToken { get; init; }
    public string? RefreshToken { get; init; }
    public string? TokenType { get; init; }
    public string? Scope { get; init; }
    public string? IdToken { get; init; }

    /// <summary><c>expires_in</c> in seconds, whether the provider sent a number or a numeric string.</summary>
    public double? ExpiresInSeconds { get; init; }

    /// <summary>An OAuth <c>error</c> code, for providers that report failures with a success status.</summary>
    public string? Error { get; init; }

    public static TokenResponse Parse(JsonNode? result)
    {
        if (result is not JsonObject obj)
        {
            return new TokenResponse();
        }

        return new TokenResponse
        {
            AccessToken = ReadString(obj, "access_token"),
            RefreshToken = ReadString(obj, "refresh_token"),
            TokenType = ReadString(obj, "token_type"),
            Scope = ReadString(obj, "scope"),
            IdToken = ReadString(obj, "id_token"),
            ExpiresInSeconds = ReadNumber(obj["expires_in"]),
            Error = ReadString(obj, "error"),
        };
    }

    /// <summary>A number, or a string holding one (some providers quote <c>expires_in</c>); null otherwise.</summary>
    internal static double? ReadNumber(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Number => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonValueKind.String when double.TryParse(node.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) => number,
        _ => null,
    };

    private static string? ReadString(JsonObject obj, string name) => obj[name] switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => null,
    };

    /// <summary>Token values are secrets: only their presence is printed.</summary>
    public override string ToString() =>
        $"TokenResponse {{ AccessToken = {Presence(AccessToken)}, RefreshToken = {Presence(RefreshToken)}, IdToken = {Presence(IdToken)}, " +
        $"TokenType = {TokenType}, Scope = {Scope}, ExpiresInSeconds = {ExpiresInSeconds}, Error = {Error} }}";

    private static string Presence(string? secret) => secret is null ? "(none)" : "(redacted)";
}
