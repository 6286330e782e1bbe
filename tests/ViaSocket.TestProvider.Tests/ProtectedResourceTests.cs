using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace ViaSocket.TestProvider.Tests;

public sealed class ProtectedResourceTests
{
    [Fact]
    public async Task The_api_echoes_the_request_with_the_token_owner_and_without_the_authorization_header()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var accessToken = (string)(await driver.ConnectAsync())["access_token"]!;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(driver.Server.ResourceUrl, "items?limit=5"))
        {
            Content = new StringContent("""{"name":"widget"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Add("X-Trace", "abc");

        using var response = await driver.Http.SendAsync(request);
        var echo = await OAuthClientDriver.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", (string?)echo["user"]!["id"]);
        Assert.Equal("POST", (string?)echo["method"]);
        Assert.Equal("/api/items", (string?)echo["path"]);
        Assert.Equal("5", (string?)echo["query"]!["limit"]);
        Assert.Equal("abc", (string?)echo["headers"]!["x-trace"]);
        Assert.Null(echo["headers"]!["authorization"]);
        Assert.Equal("widget", (string?)echo["body"]!["name"]);
        Assert.DoesNotContain(accessToken, echo.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_access_token_stops_working_when_the_injected_clock_passes_its_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var driver = await OAuthClientDriver.StartAsync(
            OAuthClientDriver.NewClient() with { AccessTokenLifetime = TimeSpan.FromSeconds(30) }, time);
        var accessToken = (string)(await driver.ConnectAsync())["access_token"]!;

        time.Advance(TimeSpan.FromSeconds(29));
        using var before = await driver.GetWithTokenAsync(new Uri(driver.Server.ResourceUrl, "me"), accessToken);
        time.Advance(TimeSpan.FromSeconds(1));
        using var after = await driver.GetWithTokenAsync(new Uri(driver.Server.ResourceUrl, "me"), accessToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("error=\"invalid_token\"", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(driver.Server.IsAccessTokenActive(accessToken));
        Assert.Equal(1, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task A_request_without_a_token_gets_a_bare_bearer_challenge()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        using var response = await driver.Http.GetAsync(driver.Server.UserInfoUrl);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("error=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_ends_the_grant_and_always_answers_200()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var tokens = await driver.ConnectAsync();

        using var revoke = await driver.PostFormAsync(driver.Server.RevokeUrl, new()
        {
            ["token"] = (string)tokens["refresh_token"]!,
            ["token_type_hint"] = "refresh_token",
        });
        using var unknown = await driver.PostFormAsync(driver.Server.RevokeUrl, new() { ["token"] = "never-issued" });
        using var userInfo = await driver.GetWithTokenAsync(driver.Server.UserInfoUrl, (string)tokens["access_token"]!);
        using var refresh = await driver.RefreshAsync((string)tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(refresh));
        Assert.Equal(2, driver.Server.RevokeCalls);
        Assert.Equal(0, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task Revocation_requires_client_authentication_and_ignores_other_clients_tokens()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var accessToken = (string)(await driver.ConnectAsync())["access_token"]!;
        var other = OAuthClientDriver.NewClient("other-app", "other-secret");
        driver.Server.RegisterClient(other);
        await using var otherDriver = new OAuthClientDriver(driver.Server, other);

        using var unauthenticated = await driver.PostFormAsync(driver.Server.RevokeUrl, new() { ["token"] = accessToken }, secret: "wrong");
        using var foreign = await otherDriver.PostFormAsync(driver.Server.RevokeUrl, new() { ["token"] = accessToken });

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.True(driver.Server.IsAccessTokenActive(accessToken));
    }

    [Fact]
    public async Task A_test_can_revoke_a_grant_as_if_the_user_disconnected_at_the_provider()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var tokens = await driver.ConnectAsync();

        var revoked = driver.Server.RevokeGrant((string)tokens["access_token"]!);
        using var refresh = await driver.RefreshAsync((string)tokens["refresh_token"]!);

        Assert.True(revoked);
        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(refresh));
        Assert.Equal(0, driver.Server.RefreshTokenReuseCount);
    }
}
