using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>A workspace bringing its own OAuth app: registered at the test provider and at the service, then chosen per connection.</summary>
public static class WorkspaceOAuthClients
{
    public const string ClientId = "acme-own-app";
    public const string ClientSecret = "acme-own-secret-31f7c2e9";

    /// <summary>Registers the workspace's app at the provider, with a secret unlike the author's.</summary>
    public static TestClient RegisterAtProvider(TestAuthorizationServer provider, Uri callbackUrl, string clientId = ClientId, string secret = ClientSecret)
    {
        var client = new TestClient(clientId, secret, [callbackUrl.ToString()]);
        provider.RegisterClient(client);
        return client;
    }

    /// <summary>POST /v1/oauth-clients; returns the created client's JSON (its id at <c>oauthClientId</c>).</summary>
    public static async Task<JsonNode> CreateAsync(HttpClient api, string pluginId, string? versionId = null, string clientId = ClientId, string secret = ClientSecret)
    {
        using var response = await api.PostAsJsonAsync("/v1/oauth-clients", new { pluginId, versionId, name = "Acme's own app", clientId, clientSecret = secret });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!;
    }

    /// <summary>POST /v1/connections naming an OAuth client (or none); returns the raw response.</summary>
    public static Task<HttpResponseMessage> StartAsync(HttpClient api, string pluginId, string? oauthClientId, string? connectionId = null, string versionId = "v1", string ownerId = "user-1") =>
        api.PostAsJsonAsync("/v1/connections", new { pluginId, versionId, ownerId, returnUrl = ConnectFlow.ReturnUrl, connectionId, oauthClientId });

    /// <summary>Start, consent and callback with a chosen client; returns the connection id and the authorize URL used.</summary>
    public static async Task<(string ConnectionId, Uri AuthorizeUrl)> ConnectAsync(
        ConnectFlow flow, string pluginId, string? oauthClientId, string? connectionId = null, string versionId = "v1", string ownerId = "user-1")
    {
        using var start = await StartAsync(flow.Api, pluginId, oauthClientId, connectionId, versionId, ownerId);
        var body = await start.Content.ReadAsStringAsync();
        Assert.True(start.StatusCode == HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        var authorizeUrl = new Uri((string)json["authorizeUrl"]!);
        using var callback = await flow.CallbackAsync(await flow.ConsentAsync(authorizeUrl));
        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return (outcome["connectionId"], authorizeUrl);
    }
}
