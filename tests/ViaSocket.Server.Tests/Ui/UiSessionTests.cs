using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Grains;
using ViaSocket.Grains.Workspaces;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Server.Ui;

namespace ViaSocket.Server.Tests.Ui;

/// <summary>The UI's sign-in cookie over plain HTTP: how it is issued, and that the API honours it only with the UI header.</summary>
public sealed class UiSessionTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Signing_in_sets_an_http_only_strict_cookie_that_does_not_contain_the_key()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, fixture.Host.ApiKey.Reveal());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(UiEndpoints.ConnectionsPath, response.Headers.Location!.ToString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(UiSessionCookie.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fixture.Host.ApiKey.Secret, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_call_with_only_the_cookie_and_no_ui_header_is_unauthorized()
    {
        using var browser = Browser();
        var cookie = await SessionCookieAsync(browser);

        using var withoutHeader = new HttpRequestMessage(HttpMethod.Get, "/v1/connections");
        withoutHeader.Headers.Add("Cookie", cookie);
        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "/v1/connections");
        withHeader.Headers.Add("Cookie", cookie);
        withHeader.Headers.Add(UiSessionCookie.RequestHeader, "1");

        using var refused = await browser.SendAsync(withoutHeader);
        using var accepted = await browser.SendAsync(withHeader);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_tampered_cookie_is_unauthorized_even_with_the_ui_header()
    {
        using var browser = Browser();
        var cookie = await SessionCookieAsync(browser);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/connections");
        request.Headers.Add("Cookie", cookie[..^4] + "AAAA");
        request.Headers.Add(UiSessionCookie.RequestHeader, "1");

        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_key_is_sent_back_to_the_login_page_without_a_cookie()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, ApiKey.Generate().Reveal());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(UiEndpoints.LoginPath + "?error=invalid_key", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_cross_site_login_post_is_refused()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, fixture.Host.ApiKey.Reveal(), origin: "https://attacker.example");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("/ui/connect?pluginId=crm&versionId=v1&ownerId=u1&returnUrl=https%3A%2F%2Fapp.example%2Fdone", "/ui/connect?pluginId=crm&versionId=v1&ownerId=u1&returnUrl=https%3A%2F%2Fapp.example%2Fdone")]
    [InlineData("https://attacker.example/ui/", UiEndpoints.ConnectionsPath)]
    [InlineData("//attacker.example/ui/", UiEndpoints.ConnectionsPath)]
    [InlineData("/v1/connections", UiEndpoints.ConnectionsPath)]
    public async Task Signing_in_returns_only_to_pages_of_the_ui(string next, string expectedLocation)
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, fixture.Host.ApiKey.Reveal(), next: next);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expectedLocation, response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_page_without_a_session_redirects_to_the_login_page_keeping_where_to_return()
    {
        using var browser = Browser();

        using var response = await browser.GetAsync("/ui/builder?pluginId=crm&versionId=v1");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/login?next=%2Fui%2Fbuilder%3FpluginId%3Dcrm%26versionId%3Dv1", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_services_own_address_leads_to_the_ui()
    {
        using var browser = Browser();

        using var response = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(UiEndpoints.ConnectionsPath, response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Pages_forbid_inline_scripts_and_framing()
    {
        using var browser = Browser();

        using var response = await browser.GetAsync(UiEndpoints.LoginPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default-src 'self'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_clears_the_cookie()
    {
        using var browser = Browser();
        var cookie = await SessionCookieAsync(browser);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ui/logout");
        request.Headers.Add("Cookie", cookie);

        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cleared = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(UiSessionCookie.CookieName + "=;", cleared, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task After_signing_out_a_copy_of_the_cookie_no_longer_works()
    {
        using var browser = Browser();
        var cookie = await SessionCookieAsync(browser);
        using (var before = await UiApiCallAsync(browser, cookie))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/ui/logout");
        logout.Headers.Add("Cookie", cookie);
        using (var signedOut = await browser.SendAsync(logout))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        }

        // Another client replays the cookie it copied before the sign-out.
        using var copier = Browser();
        using var apiCall = await UiApiCallAsync(copier, cookie);
        using var page = new HttpRequestMessage(HttpMethod.Get, UiEndpoints.ConnectionsPath);
        page.Headers.Add("Cookie", cookie);
        using var pageResponse = await copier.SendAsync(page);

        Assert.Equal(HttpStatusCode.Unauthorized, apiCall.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, pageResponse.StatusCode);
        Assert.StartsWith(UiEndpoints.LoginPath, pageResponse.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_deletes_the_sessions_row_from_grain_storage()
    {
        using var browser = Browser();
        var before = await UiSessionRows.CountAsync(fixture);
        var cookie = await SessionCookieAsync(browser);
        var signedIn = await UiSessionRows.CountAsync(fixture);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/ui/logout");
        logout.Headers.Add("Cookie", cookie);

        (await browser.SendAsync(logout)).Dispose();

        Assert.Equal(before + 1, signedIn);
        Assert.Equal(before, await UiSessionRows.CountAsync(fixture));
    }

    [Fact]
    public async Task Rows_of_sessions_expired_without_a_sign_out_are_purged_and_a_live_session_is_kept()
    {
        using var browser = Browser();
        await SessionCookieAsync(browser);
        await fixture.ExecuteSqlAsync("UPDATE orleans_storage SET modified_at = now() - interval '14 hours' WHERE state_name = @state", ("state", StorageNames.UiSessionState));
        var live = await SessionCookieAsync(browser);

        await fixture.Host.App.Services.GetRequiredService<ExpiredUiSessionPurger>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, await UiSessionRows.CountAsync(fixture));
        using var response = await UiApiCallAsync(browser, live);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Signing_out_one_session_leaves_another_session_of_the_same_key_signed_in()
    {
        using var browser = Browser();
        var ended = await SessionCookieAsync(browser);
        var other = await SessionCookieAsync(browser);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/ui/logout");
        logout.Headers.Add("Cookie", ended);
        (await browser.SendAsync(logout)).Dispose();

        using var response = await UiApiCallAsync(browser, other);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task<HttpResponseMessage> UiApiCallAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/connections");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add(UiSessionCookie.RequestHeader, "1");
        return await client.SendAsync(request);
    }

    private HttpClient Browser() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.Host.BaseAddress };

    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string apiKey, string? origin = null, string next = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, UiEndpoints.LoginPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = apiKey, ["next"] = next }),
        };
        request.Headers.Add("Origin", origin ?? browser.BaseAddress!.GetLeftPart(UriPartial.Authority));
        return await browser.SendAsync(request);
    }

    /// <summary>The <c>name=value</c> pair of a fresh session cookie.</summary>
    private Task<string> SessionCookieAsync(HttpClient browser) => SessionCookieAsync(browser, fixture.Host.ApiKey);

    /// <summary>Signs in with <paramref name="key"/>; returns the session cookie as a Cookie header value.</summary>
    internal static async Task<string> SessionCookieAsync(HttpClient browser, ApiKey key)
    {
        using var response = await SignInAsync(browser, key.Reveal());
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }
}
