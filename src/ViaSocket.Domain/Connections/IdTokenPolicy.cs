using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Connections;

/// <summary>When a version deals in OpenID Connect ID tokens (docs/id-tokens.md).</summary>
public static class IdTokenPolicy
{
    public const string OpenIdScope = "openid";

    /// <summary>The token response member (OpenID Connect Core section 3.1.3.3).</summary>
    public const string IdTokenMember = "id_token";

    /// <summary>Whether an attempt with these scopes asks for an ID token, and so sends a nonce.</summary>
    public static bool Requested(IReadOnlyList<string>? scopes) => scopes?.Contains(OpenIdScope, StringComparer.Ordinal) == true;

    /// <summary>Whether some attempt of the version may ask for <c>openid</c> (a required or an optional scope).</summary>
    public static bool MayRequest(AuthorizationDefinition authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Requested(authorization.Scopes) || Requested(authorization.OptionalScopes);
    }

    /// <summary>Whether the version names what an ID token is checked against: its issuer and its key set.</summary>
    public static bool Verifiable(AuthorizationDefinition? authorization) =>
        !string.IsNullOrWhiteSpace(authorization?.Issuer) && !string.IsNullOrWhiteSpace(authorization.JwksUrl);

    /// <summary>
    /// Whether every connection gets validated claims, so the account can be named without a Test Me call: the version
    /// always asks for <c>openid</c> and can check the answer.
    /// </summary>
    public static bool ReplacesTestMe(AuthVersionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Requested(definition.Authorization?.Scopes) && Verifiable(definition.Authorization);
    }

    /// <summary>The <c>id_token</c> of a token response, or null when it has none (or not as a string).</summary>
    public static string? IdTokenOf(JsonNode? tokenResult) =>
        tokenResult is JsonObject body && body[IdTokenMember] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
