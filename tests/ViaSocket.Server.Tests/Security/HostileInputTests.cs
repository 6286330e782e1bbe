using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>The service with rate limits small enough for a test to reach.</summary>
public sealed class HostileInputFixture : ServiceFixture
{
    public const int StartsPerMinute = 40;
    public const int CallbacksPerMinutePerIp = 5;

    /// <summary>The one peer whose forwarded headers are believed.</summary>
    public static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.4");

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ViaSocket:RateLimits:ConnectionStartsPerMinute"] = StartsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ViaSocket:RateLimits:CallbacksPerMinutePerIp"] = CallbacksPerMinutePerIp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ViaSocket:ForwardedHeaders:KnownProxies:0"] = Proxy.ToString(),
    };
}

/// <summary>
/// Request size limits, problem+json for whatever the framework refuses, the return-URL allowlist, rate limits per
/// workspace and per client IP, and HTML escaping on the callback pages.
/// </summary>
public sealed class HostileInputTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Theory]
    [InlineData("{\"pluginId\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"pluginId\":\"crm\",\"versionId\":\"v1\",\"ownerId\":\"u\",\"fields\":{\"a\":{\"nested\":1}}}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"pluginId\":\"\\ud800\",\"versionId\":\"v1\",\"ownerId\":\"u\"}")]
    public async Task A_body_that_is_not_a_start_request_is_a_400_problem_with_a_code(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Flow.Api.PostAsync("/v1/connections", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "request.invalid");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_one_mebibyte_is_a_413_problem_with_a_code(bool chunked)
    {
        var body = "{\"pluginId\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connections") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        // As a well-behaved client sending a large body does: the service refuses a declared length over the limit
        // without reading it, and a client still writing the body would otherwise see the connection closed under it.
        request.Headers.ExpectContinue = true;

        using var response = await Flow.Api.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Fact]
    public async Task A_missing_query_parameter_and_an_unknown_path_are_problems_with_codes()
    {
        using var missing = await Flow.Api.GetAsync("/v1/connections/authorize?pluginId=crm&versionId=v1");
        using var unknown = await Flow.Api.GetAsync("/v1/no-such-thing");

        await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "request.invalid");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "request.not_found");
    }

    [Fact]
    public async Task An_overlong_field_value_is_refused_before_it_reaches_a_grain()
    {
        using var response = await Flow.Api.PostAsJsonAsync("/v1/connections", new
        {
            pluginId = "crm",
            versionId = "v1",
            ownerId = "user-1",
            fields = new Dictionary<string, string> { ["subdomain"] = new('x', 5000) },
        });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "request.invalid");
        Assert.DoesNotContain("xxxxxxxx", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bootstrap_workspace_allows_the_configured_return_url_host()
    {
        var settings = await Flow.GetJsonAsync("/v1/workspace/settings");

        Assert.Contains(new Uri(ConnectFlow.ReturnUrl).Host, settings["allowedReturnUrlHosts"]!.AsArray().Select(h => (string?)h));
    }

    [Fact]
    public async Task A_return_url_to_a_host_the_workspace_does_not_allow_is_refused_by_post_and_by_redirect()
    {
        await Flow.PublishAsync("crm-return", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        const string elsewhere = "https://attacker.example/steal";

        using var post = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm-return", versionId = "v1", ownerId = "user-1", returnUrl = elsewhere });
        using var redirect = await Flow.Api.GetAsync($"/v1/connections/authorize?pluginId=crm-return&versionId=v1&ownerId=user-1&returnUrl={Uri.EscapeDataString(elsewhere)}");
        using var withoutReturnUrl = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm-return", versionId = "v1", ownerId = "user-1" });

        await AssertProblemAsync(post, HttpStatusCode.UnprocessableEntity, ReturnUrlPolicy.NotAllowedCode);
        await AssertProblemAsync(redirect, HttpStatusCode.UnprocessableEntity, ReturnUrlPolicy.NotAllowedCode);
        Assert.Equal(HttpStatusCode.Created, withoutReturnUrl.StatusCode);
    }

    [Fact]
    public async Task A_suffix_pattern_allows_subdomains_only_and_a_change_applies_to_the_next_start()
    {
        using var api = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);
        using (var publish = await api.PutAsJsonAsync("/v1/plugins/crm/auth-versions/v1", ProviderDefinitions.JavaScript(fixture.Provider)))
        {
            Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync());
        }

        (await api.PostAsync("/v1/plugins/crm/auth-versions/v1/publish", null)).Dispose();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://deep.app.partner.example/done"));

        using var put = await api.PutAsJsonAsync("/v1/workspace/settings", new { allowedReturnUrlHosts = new[] { "*.Partner.Example", "exact.example" } });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var settings = JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        Assert.Equal(["*.partner.example", "exact.example"], settings["allowedReturnUrlHosts"]!.AsArray().Select(h => (string?)h));
        Assert.Equal(HttpStatusCode.Created, await StartStatusAsync(api, "https://deep.app.partner.example/done"));
        Assert.Equal(HttpStatusCode.Created, await StartStatusAsync(api, "https://exact.example/done?x=1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://partner.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://evilpartner.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://sub.exact.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://attacker.example/?next=https://x.partner.example"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://x.partner.example.attacker.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://exact.example@attacker.example/done"));
    }

    [Fact]
    public async Task A_return_url_must_match_the_scheme_and_port_of_an_entry_not_only_its_host()
    {
        using var api = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);
        using (var publish = await api.PutAsJsonAsync("/v1/plugins/crm/auth-versions/v1", ProviderDefinitions.JavaScript(fixture.Provider)))
        {
            Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync());
        }

        (await api.PostAsync("/v1/plugins/crm/auth-versions/v1/publish", null)).Dispose();
        using var put = await api.PutAsJsonAsync("/v1/workspace/settings", new { allowedReturnUrlHosts = new[] { "exact.example", "http://localhost:3000", "https://*.partner.example:8443" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(HttpStatusCode.Created, await StartStatusAsync(api, "https://exact.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "http://exact.example/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://exact.example:8443/done"));
        Assert.Equal(HttpStatusCode.Created, await StartStatusAsync(api, "http://localhost:3000/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "http://localhost:3001/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://localhost:3000/done"));
        Assert.Equal(HttpStatusCode.Created, await StartStatusAsync(api, "https://a.b.partner.example:8443/done"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StartStatusAsync(api, "https://a.partner.example/done"));
    }

    [Theory]
    [InlineData("ftp://app.example.com")]
    [InlineData("app.example.com:8443")]
    [InlineData("https://app.example.com:99999")]
    [InlineData("app.example.com/path")]
    [InlineData("*.com")]
    [InlineData("*")]
    [InlineData("exa mple.com")]
    [InlineData("")]
    public async Task A_return_url_host_entry_that_is_not_a_host_is_refused_and_nothing_is_saved(string entry)
    {
        using var api = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);

        using var put = await api.PutAsJsonAsync("/v1/workspace/settings", new { allowedReturnUrlHosts = new[] { "ok.example", entry } });

        var problem = await AssertProblemAsync(put, HttpStatusCode.UnprocessableEntity, WorkspaceSettingsErrorCodes.InvalidReturnUrlHost);
        Assert.Contains("allowedReturnUrlHosts[1]", (string?)problem["detail"], StringComparison.Ordinal);
        var settings = JsonNode.Parse(await api.GetStringAsync("/v1/workspace/settings"))!;
        Assert.Empty(settings["allowedReturnUrlHosts"]!.AsArray());
    }

    [Fact]
    public async Task A_webhook_secret_rotation_takes_an_optional_overlap_and_refuses_one_out_of_range()
    {
        using var api = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);

        using var first = await api.PostAsync("/v1/webhooks/secret:rotate", null);
        using var overlapping = await api.PostAsJsonAsync("/v1/webhooks/secret:rotate", new { overlap = "02:00:00" });
        using var tooLong = await api.PostAsJsonAsync("/v1/webhooks/secret:rotate", new { overlap = "7.00:00:01" });
        using var negative = await api.PostAsJsonAsync("/v1/webhooks/secret:rotate", new { overlap = "-00:00:01" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var created = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        Assert.StartsWith("whsec_", (string?)created["signingSecret"], StringComparison.Ordinal);
        Assert.Null(created["previousSecretValidUntil"]);
        Assert.Equal(HttpStatusCode.OK, overlapping.StatusCode);
        Assert.True(overlapping.Headers.CacheControl?.NoStore);
        var rotated = JsonNode.Parse(await overlapping.Content.ReadAsStringAsync())!;
        var validUntil = (DateTimeOffset)rotated["previousSecretValidUntil"]!;
        Assert.InRange(validUntil - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(121));
        await AssertProblemAsync(tooLong, HttpStatusCode.UnprocessableEntity, Events.WebhookErrorCodes.InvalidOverlap);
        await AssertProblemAsync(negative, HttpStatusCode.UnprocessableEntity, Events.WebhookErrorCodes.InvalidOverlap);
    }

    [Fact]
    public async Task Reading_the_settings_needs_connections_read_and_changing_them_connections_write()
    {
        using var reader = await ClientOfNewWorkspaceAsync(ApiKeyScopes.ConnectionsRead);

        using var get = await reader.GetAsync("/v1/workspace/settings");
        using var put = await reader.PutAsJsonAsync("/v1/workspace/settings", new { allowedReturnUrlHosts = new[] { "attacker.example" } });

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        await AssertProblemAsync(put, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Connection_starts_are_limited_per_workspace_with_retry_after()
    {
        using var busy = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);
        for (var i = 0; i < HostileInputFixture.StartsPerMinute; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, await StartStatusAsync(busy, returnUrl: null));
        }

        using var limited = await busy.PostAsJsonAsync("/v1/connections", new { pluginId = "crm", versionId = "v1", ownerId = "user-1" });
        using var limitedRedirect = await busy.GetAsync("/v1/connections/authorize?pluginId=crm&versionId=v1&ownerId=user-1");
        using var quiet = await ClientOfNewWorkspaceAsync(ApiKeyScopes.All);

        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "request.rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedRedirect.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await StartStatusAsync(quiet, returnUrl: null));
        using var read = await busy.GetAsync("/v1/connections");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Callbacks_are_limited_per_client_ip_with_retry_after()
    {
        using var flooding = BrowserFrom(IPAddress.Parse("127.0.0.2"));
        using var other = BrowserFrom(IPAddress.Parse("127.0.0.3"));
        for (var i = 0; i < HostileInputFixture.CallbacksPerMinutePerIp; i++)
        {
            using var guess = await flooding.GetAsync($"/oauth/callback?code=c&state=guess{i}");
            Assert.Equal(HttpStatusCode.BadRequest, guess.StatusCode);
        }

        using var limited = await flooding.GetAsync("/oauth/callback?code=c&state=one-more");
        using var elsewhere = await other.GetAsync("/oauth/callback?code=c&state=guess");

        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "request.rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
    }

    [Fact]
    public async Task X_forwarded_for_from_a_peer_that_is_no_configured_proxy_does_not_change_the_ip_the_callback_limit_counts()
    {
        using var spoofing = BrowserFrom(IPAddress.Parse("127.0.0.5"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= HostileInputFixture.CallbacksPerMinutePerIp; i++)
        {
            statuses.Add(await CallbackStatusAsync(spoofing, $"spoof{i}", forwardedFor: $"198.51.100.{i + 1}"));
        }

        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task X_forwarded_for_from_a_configured_proxy_is_the_ip_the_callback_limit_counts()
    {
        using var proxy = BrowserFrom(HostileInputFixture.Proxy);
        for (var i = 0; i < HostileInputFixture.CallbacksPerMinutePerIp; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await CallbackStatusAsync(proxy, $"proxied{i}", forwardedFor: "198.51.100.200"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await CallbackStatusAsync(proxy, "proxied-more", forwardedFor: "198.51.100.200"));
        Assert.Equal(HttpStatusCode.BadRequest, await CallbackStatusAsync(proxy, "another-client", forwardedFor: "198.51.100.201"));
    }

    [Fact]
    public async Task A_provider_error_description_with_markup_is_shown_encoded_under_a_strict_csp()
    {
        await Flow.PublishAsync("crm-escape", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        using var start = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm-escape", versionId = "v1", ownerId = "user-1" });
        var authorizeUrl = new Uri((string)JsonNode.Parse(await start.Content.ReadAsStringAsync())!["authorizeUrl"]!);
        var state = QueryHelpers.ParseQuery(authorizeUrl.Query)["state"].ToString();
        const string markup = "<script>alert(1)</script><img src=x onerror=alert(2)>";

        using var page = await Flow.CallbackAsync(new Uri(fixture.Host.CallbackUrl,
            $"?state={Uri.EscapeDataString(state)}&error=access_denied&error_description={Uri.EscapeDataString(markup)}"));

        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        AssertStrictCsp(page);
    }

    [Fact]
    public async Task A_forged_state_with_markup_is_refused_without_echoing_it()
    {
        using var page = await Flow.CallbackAsync(new Uri(fixture.Host.CallbackUrl,
            $"?code=x&state={Uri.EscapeDataString("\"><script>alert(1)</script>")}"));

        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("invalid_state", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        AssertStrictCsp(page);
    }

    private static void AssertStrictCsp(HttpResponseMessage page)
    {
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
    }

    private static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal((int)status, (int?)problem["status"]);
        return problem;
    }

    private static async Task<HttpStatusCode> StartStatusAsync(HttpClient api, string? returnUrl)
    {
        using var response = await api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm", versionId = "v1", ownerId = "user-1", returnUrl });
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> CallbackStatusAsync(HttpClient browser, string state, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/oauth/callback?code=c&state={state}");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await browser.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<HttpClient> ClientOfNewWorkspaceAsync(params IReadOnlyList<string> scopes)
    {
        var key = ApiKey.Generate();
        var registration = new ApiKeyRegistration("ws-" + Guid.NewGuid().ToString("N")[..12], key.SecretHash(), scopes, "hostile input test");
        Assert.True(await fixture.Host.Grains.GetGrain<IApiKeyGrain>(key.KeyId).CreateAsync(registration));
        return fixture.Host.CreateClient(key.Reveal());
    }

    /// <summary>A browser on another loopback address, to be another client IP.</summary>
    private HttpClient BrowserFrom(IPAddress source)
    {
        var handler = LoopbackSource.Handler(source);
        handler.AllowAutoRedirect = false;
        return new HttpClient(handler) { BaseAddress = fixture.Host.BaseAddress };
    }
}
