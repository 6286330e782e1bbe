using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;

namespace ViaSocket.Domain.Connections;

/// <summary>Builds the <c>context</c> object blocks and templates see (SPEC section 3).</summary>
public static class ConnectionContext
{
    /// <param name="authData">Becomes <c>context.authData</c> itself (not a copy), so block results added to it later are visible.</param>
    /// <param name="inputData">The action's input, on proxied requests.</param>
    /// <param name="app">The workspace's OAuth client the connection uses; null for the version's own.</param>
    /// <param name="scopes">The scopes the connection asked for; null for the version's required scopes.</param>
    public static JsonObject Create(CompiledAuthVersion version, JsonObject authData, string? redirectUri, string? codeVerifier, JsonNode? inputData = null, IReadOnlyList<string>? scopes = null, OAuthApp? app = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        var authorization = version.Definition.Authorization;
        var (clientId, clientSecret) = app is null ? (authorization?.ClientId, authorization?.ClientSecret) : (app.ClientId, app.ClientSecret);
        var context = new JsonObject
        {
            [ContextKeys.AuthData] = authData,
            [ContextKeys.ClientId] = clientId,
            [ContextKeys.ClientSecret] = clientSecret,
            [ContextKeys.RedirectUri] = redirectUri,
            [ContextKeys.Scopes] = scopes is null ? version.JoinedScopes : ScopeFormatter.Join(scopes, version.ScopeSeparator),
        };
        if (clientId is not null && clientSecret is not null)
        {
            // Ready for JavaScript blocks, which would otherwise hand-roll the RFC 6749 encoding (and often skip it).
            context[ContextKeys.ClientBasicAuth] = ClientBasicAuth.HeaderValue(clientId, clientSecret);
        }

        if (codeVerifier is not null)
        {
            context[ContextKeys.CodeVerifier] = codeVerifier;
        }

        if (inputData is not null)
        {
            context[ContextKeys.InputData] = inputData;
        }

        return context;
    }
}
