using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>The steps an integration author and an end user take, driven over HTTP.</summary>
public sealed class ConnectFlow(ViaSocketTestHost host, TestAuthorizationServer provider)
{
    public const string ReturnUrl = "https://app.example.test/connections/done";

    public HttpClient Api { get; } = host.CreateClient();

    public async Task PublishAsync(string pluginId, string versionId, JsonObject definition)
    {
        using (var put = await Api.PutAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/{versionId}", definition))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var publish = await Api.PostAsync($"/v1/plugins/{pluginId}/auth-versions/{versionId}/publish", null);
        Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync());
    }

    /// <summary>POST /v1/connections; returns the connection id and the provider authorize URL.</summary>
    public async Task<(string ConnectionId, Uri AuthorizeUrl)> StartAsync(string pluginId, string versionId, string ownerId = "user-1", object? fields = null, string? connectionId = null)
    {
        using var response = await Api.PostAsJsonAsync("/v1/connections", new { pluginId, versionId, ownerId, fields, returnUrl = ReturnUrl, connectionId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        return ((string)json["connectionId"]!, new Uri((string)json["authorizeUrl"]!));
    }

    /// <summary>The user consents at the provider; returns the callback URL the provider redirected the browser to.</summary>
    public Task<Uri> ConsentAsync(Uri authorizeUrl, bool allow = true) => provider.LoginAsync(authorizeUrl, allow: allow);

    /// <summary>The browser follows the provider's redirect to the service's callback; returns the service's response.</summary>
    public async Task<HttpResponseMessage> CallbackAsync(Uri callbackUrl)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        return await browser.GetAsync(callbackUrl);
    }

    /// <summary>The whole connect flow; returns the query of the final redirect to the return URL.</summary>
    public async Task<Dictionary<string, string>> ConnectAsync(string pluginId, string versionId, string ownerId = "user-1", string? connectionId = null)
    {
        var (_, authorizeUrl) = await StartAsync(pluginId, versionId, ownerId, connectionId: connectionId);
        using var response = await CallbackAsync(await ConsentAsync(authorizeUrl));
        return ReturnQuery(response);
    }

    /// <summary>
    /// Registers a provider client named <paramref name="clientId"/> (optionally changed by <paramref name="customize"/>),
    /// publishes v1 of a plugin of the same name for it (optionally changed by <paramref name="customizeDefinition"/>),
    /// and connects its one user; returns the connection id.
    /// </summary>
    public async Task<string> ConnectOwnClientAsync(string clientId, Func<TestClient, TestClient>? customize = null, Action<JsonObject>? customizeDefinition = null)
    {
        var client = ProviderDefinitions.Client(host.CallbackUrl, clientId);
        provider.RegisterClient(customize is null ? client : customize(client));
        var definition = ProviderDefinitions.JavaScript(provider, clientId: clientId);
        customizeDefinition?.Invoke(definition);
        await PublishAsync(clientId, "v1", definition);
        var outcome = await ConnectAsync(clientId, "v1", ownerId: clientId);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return outcome["connectionId"];
    }

    /// <summary>The access token the connection's credentials carry (the test definitions append it as a bearer header).</summary>
    public async Task<string> AccessTokenAsync(string connectionId)
    {
        var credentials = await GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        return ((string)credentials["headers"]!["Authorization"]!)["Bearer ".Length..];
    }

    /// <summary>When the connection's next refresh falls due, as its view says.</summary>
    public async Task<DateTimeOffset> NextRefreshAtAsync(string connectionId)
    {
        var view = await GetJsonAsync($"/v1/connections/{connectionId}");
        return DateTimeOffset.Parse((string)view["nextRefreshAt"]!, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads until the answer differs from <paramref name="previous"/> or <paramref name="deadline"/> passes, and returns
    /// the last answer. A refreshed token is served once it is stored, not as soon as the provider has issued it.
    /// </summary>
    public static async Task<string> ReadUntilChangedAsync(Func<Task<string>> read, string? previous, DateTimeOffset deadline)
    {
        var answer = await read();
        while (answer == previous && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            answer = await read();
        }

        return answer;
    }

    public static Dictionary<string, string> ReturnQuery(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(ReturnUrl, location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }
}
