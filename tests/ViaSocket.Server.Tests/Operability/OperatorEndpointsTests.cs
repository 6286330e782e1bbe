using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>The service with the Orleans Dashboard on and the Prometheus endpoint bound to a port of its own.</summary>
public sealed class OperatorEndpointsFixture : ServiceFixture
{
    // A port the test host does not listen on: the API listener must then not serve /metrics.
    public const int MetricsPort = 1;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ViaSocket:Dashboard:Enabled"] = "true",
        ["ViaSocket:Observability:PrometheusPort"] = MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed class OperatorEndpointsTests(OperatorEndpointsFixture fixture) : IClassFixture<OperatorEndpointsFixture>
{
    [Fact]
    public async Task The_dashboard_needs_a_key_with_the_operator_scope()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var workspaceKey = fixture.Host.CreateClient(await CreateKeyAsync("connections:read", "connections:write", "keys:write"));
        using var operatorKey = fixture.Host.CreateClient();

        using var withoutKey = await anonymous.GetAsync("/dashboard/");
        using var withoutScope = await workspaceKey.GetAsync("/dashboard/");
        using var withScope = await operatorKey.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withScope.StatusCode);
        Assert.Contains("html", withScope.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_an_operator_key_can_give_the_operator_scope_through_the_api()
    {
        using var workspaceKey = fixture.Host.CreateClient(await CreateKeyAsync("connections:read", "keys:write"));

        using var fromWorkspaceKey = await workspaceKey.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "operator" } });
        using var fromOperatorKey = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "operator" } });

        Assert.Equal(HttpStatusCode.Forbidden, fromWorkspaceKey.StatusCode);
        Assert.Equal("api_key.scope_escalation", (await fromWorkspaceKey.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        Assert.True(fromOperatorKey.IsSuccessStatusCode, $"{fromOperatorKey.StatusCode}");
    }

    [Fact]
    public async Task Metrics_bound_to_their_own_port_are_not_served_on_the_api_listener()
    {
        using var scraper = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        using var response = await scraper.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<string> CreateKeyAsync(params string[] scopes)
    {
        using var response = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes, description = "no operator" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return (string)JsonNode.Parse(body)!["apiKey"]!;
    }
}
