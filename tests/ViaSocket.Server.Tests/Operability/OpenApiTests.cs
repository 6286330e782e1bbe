using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>The OpenAPI document describes the whole public API, and the reference page serves it.</summary>
public sealed class OpenApiTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Every_v1_endpoint_is_in_the_openapi_document_with_its_method()
    {
        var mapped = ((IEndpointRouteBuilder)fixture.Host.App).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (Path: Normalize(endpoint.RoutePattern.RawText!), Method: method.ToLowerInvariant())))
            .Distinct()
            .ToList();

        var paths = (await DocumentAsync())["paths"]!.AsObject()
            .ToDictionary(path => Normalize(path.Key), path => path.Value!.AsObject().Select(operation => operation.Key).ToHashSet(StringComparer.Ordinal));

        Assert.True(mapped.Count >= 20, $"Only {mapped.Count} /v1 endpoints were found; the enumeration is broken.");
        var missing = mapped.Where(route => !paths.TryGetValue(route.Path, out var methods) || !methods.Contains(route.Method)).ToList();
        Assert.True(missing.Count == 0, "Missing from /openapi/v1.json: " + string.Join(", ", missing.Select(m => $"{m.Method.ToUpperInvariant()} {m.Path}")));
    }

    [Fact]
    public async Task Operations_name_the_api_key_scheme_their_scope_and_problem_responses()
    {
        var document = await DocumentAsync();

        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        var credentials = document["paths"]!["/v1/connections/{connectionId}/credentials"]!["get"]!;
        Assert.Equal("GetCredentials", (string?)credentials["operationId"]);
        Assert.NotNull(credentials["security"]![0]!["ApiKey"]);
        Assert.Contains("credentials:read", (string?)credentials["description"], StringComparison.Ordinal);
        Assert.NotNull(credentials["responses"]!["200"]!["content"]!["application/json"]);
        foreach (var status in new[] { "401", "403", "404", "409" })
        {
            Assert.NotNull(credentials["responses"]![status]?["content"]?["application/problem+json"]);
        }

        var callback = document["paths"]!["/oauth/callback"]!["get"]!;
        Assert.Null(callback["security"]);
        var putDraft = document["paths"]!["/v1/plugins/{pluginId}/auth-versions/{versionId}"]!["put"]!;
        Assert.NotNull(putDraft["requestBody"]!["content"]!["application/json"]!["schema"]);
    }

    [Fact]
    public async Task The_reference_page_is_served_at_docs_without_a_key()
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true }) { BaseAddress = fixture.Host.BaseAddress };

        using var response = await browser.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("\"url\":\"openapi/v1.json\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await browser.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private async Task<JsonNode> DocumentAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    // Route parameters may carry constraints ({id:int}); the document spells them bare. A group root ends in '/'.
    private static string Normalize(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "{([^}:]+):[^}]+}", "{$1}").TrimEnd('/');
}
