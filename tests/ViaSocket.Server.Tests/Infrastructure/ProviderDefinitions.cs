using System.Text.Json.Nodes;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>Auth-version definitions for the loopback test provider, the way an integration author would write them.</summary>
public static class ProviderDefinitions
{
    public const string ClientId = "crm-app";
    public const string ClientSecret = "crm-client-secret-5b1f0c";

    /// <summary>Token exchange and refresh written as JavaScript blocks using axios and client_secret_basic.</summary>
    public static JsonObject JavaScript(TestAuthorizationServer provider, string scopeSeparator = "space", string clientId = ClientId) => new()
    {
        ["authorization"] = Authorization(provider, scopeSeparator, clientId),
        ["accessToken"] = new JsonObject
        {
            ["code"] = $$"""
                const body = new URLSearchParams({
                  grant_type: 'authorization_code',
                  code: context.authData.code,
                  redirect_uri: context.redirectUri,
                  code_verifier: context.codeVerifier,
                });
                try {
                  const response = await axios.post('{{provider.TokenUrl}}', body.toString(), {
                    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                    auth: { username: context.clientId, password: context.clientSecret },
                  });
                  return response.data;
                } catch (error) {
                  throw error;
                }
                """,
        },
        ["refreshToken"] = new JsonObject
        {
            ["code"] = $$"""
                const body = new URLSearchParams();
                body.append('grant_type', 'refresh_token');
                body.append('refresh_token', context.authData.accesstokencode.refresh_token);
                const response = await axios.post('{{provider.TokenUrl}}', body, {
                  auth: { username: context.clientId, password: context.clientSecret },
                });
                return response.data;
                """,
        },
        ["revokeToken"] = new JsonObject
        {
            ["code"] = $$"""
                const response = await axios.post('{{provider.RevokeUrl}}',
                  new URLSearchParams({ token: context.authData.accesstokencode.refresh_token, token_type_hint: 'refresh_token' }),
                  { auth: { username: context.clientId, password: context.clientSecret } });
                return { revoked: response.status === 200 };
                """,
        },
        ["testMe"] = UserInfo(provider),
        ["connectionLabel"] = "${context.authData.testme.email}",
        ["uniqueIdentifier"] = "${context.authData.testme.id}",
        ["allowedUrls"] = AllowedUrls(provider),
        ["append"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
        },
    };

    /// <summary>Token exchange as a declarative form request with client_secret_post; extras from the callback in the label.</summary>
    public static JsonObject Declarative(TestAuthorizationServer provider, string scopeSeparator = "comma") => new()
    {
        ["authorization"] = Authorization(provider, scopeSeparator, ClientId),
        ["accessToken"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = "POST",
                ["url"] = provider.TokenUrl.ToString(),
                ["bodyType"] = "form",
                ["body"] = new JsonObject
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = "${context.authData.code}",
                    ["redirect_uri"] = "${context.redirectUri}",
                    ["code_verifier"] = "${context.codeVerifier}",
                    ["client_id"] = "${context.clientId}",
                    ["client_secret"] = "${context.clientSecret}",
                },
            },
        },
        ["testMe"] = UserInfo(provider),
        ["connectionLabel"] = "${context.authData.testme.email} (realm ${context.authData.realmId})",
        ["maskConnectionLabel"] = true,
        ["allowedUrls"] = AllowedUrls(provider),
        ["append"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
            ["query"] = new JsonObject { ["realm"] = "${context.authData.realmId}" },
        },
    };

    /// <summary>The protected API, and the endpoints the blocks call: every request a block makes must be under an allowed URL.</summary>
    public static JsonArray AllowedUrls(TestAuthorizationServer provider) => new(
        new Uri(provider.BaseAddress, "/api").ToString().TrimEnd('/'),
        provider.TokenUrl.ToString(),
        provider.RevokeUrl.ToString(),
        provider.UserInfoUrl.ToString());

    public static TestClient Client(Uri callbackUrl, string clientId = ClientId) => new(clientId, ClientSecret, [callbackUrl.ToString()]);

    private static JsonObject Authorization(TestAuthorizationServer provider, string scopeSeparator, string clientId) => new()
    {
        ["url"] = provider.AuthorizeUrl.ToString(),
        ["clientId"] = clientId,
        ["clientSecret"] = ClientSecret,
        ["scopes"] = new JsonArray("read", "write"),
        ["scopeSeparator"] = scopeSeparator,
        ["issuer"] = provider.Issuer,
    };

    private static JsonObject UserInfo(TestAuthorizationServer provider) => new()
    {
        ["request"] = new JsonObject
        {
            ["method"] = "GET",
            ["url"] = provider.UserInfoUrl.ToString(),
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
        },
    };
}
