using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Connections;

/// <summary>Builds the <c>context</c> object blocks and templates see (SPEC section 3).</summary>
public static class ConnectionContext
{
    /// <param name="authData">Becomes <c>context.authData</c> itself (not a copy), so block results added to it later are visible.</param>
    /// <param name="inputData">The action's input, on proxied requests.</param>
    /// <param name="app">The workspace's OAuth client the connection uses; null for the version's own.</param>
    public static JsonObject Create(CompiledAuthVersion version, JsonObject authData, string? redirectUri, string? codeVerifier, JsonNode? inputData = null, OAuthApp? app = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        var authorization = version.Definition.Authorization;
        var context = new JsonObject
        {
            [ContextKeys.AuthData] = authData,
            [ContextKeys.ClientId] = app is null ? authorization?.ClientId : app.ClientId,
            [ContextKeys.ClientSecret] = app is null ? authorization?.ClientSecret : app.ClientSecret,
            [ContextKeys.RedirectUri] = redirectUri,
            [ContextKeys.Scopes] = version.JoinedScopes,
        };
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
