using System.Net;

namespace ViaSocket.TestProvider.Tests;

public sealed class RefreshTokenTests
{
    [Fact]
    public async Task A_refresh_rotates_the_refresh_token_and_retires_the_old_one()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var initial = await driver.ConnectAsync();
        var oldRefreshToken = (string)initial["refresh_token"]!;

        using var response = await driver.RefreshAsync(oldRefreshToken);
        var refreshed = await OAuthClientDriver.ReadJsonAsync(response);
        var grant = driver.Server.GrantFor(oldRefreshToken)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(oldRefreshToken, (string?)refreshed["refresh_token"]);
        Assert.NotEqual((string?)initial["access_token"], (string?)refreshed["access_token"]);
        Assert.Equal((string?)refreshed["refresh_token"], grant.CurrentRefreshToken);
        Assert.Equal(1, grant.RefreshCount);
        Assert.True(driver.Server.IsAccessTokenActive((string)refreshed["access_token"]!));
        Assert.Equal(1, driver.Server.RefreshGrants);
    }

    [Fact]
    public async Task Reusing_a_retired_refresh_token_revokes_the_whole_grant()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var oldRefreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        var beforeRotation = DateTimeOffset.UtcNow;
        using var rotation = await driver.RefreshAsync(oldRefreshToken);
        var afterRotation = DateTimeOffset.UtcNow;
        var current = await OAuthClientDriver.ReadJsonAsync(rotation);

        using var reuse = await driver.RefreshAsync(oldRefreshToken);
        using var userInfo = await driver.GetWithTokenAsync(driver.Server.UserInfoUrl, (string)current["access_token"]!);
        using var currentRefresh = await driver.RefreshAsync((string)current["refresh_token"]!);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(reuse));
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
        Assert.Contains("error=\"invalid_token\"", userInfo.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(currentRefresh));
        Assert.Equal(1, driver.Server.RefreshTokenReuseCount);
        var reused = Assert.Single(driver.Server.RefreshTokenReuseLog);
        Assert.InRange(reused.RetiredAt!.Value, beforeRotation, afterRotation);
        Assert.True(reused.ReusedAt >= afterRotation);
        Assert.True(driver.Server.GrantFor(oldRefreshToken)!.IsRevoked);
        Assert.Equal(0, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task Concurrent_refreshes_with_one_token_let_exactly_one_through_and_revoke_the_grant()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;

        var responses = await Task.WhenAll(driver.RefreshAsync(refreshToken), driver.RefreshAsync(refreshToken));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        Assert.Equal(2, driver.Server.RefreshGrantLog.Count);
        Assert.Equal([200, 400], driver.Server.RefreshGrantLog.Select(record => record.StatusCode).Order());
        Assert.All(driver.Server.RefreshGrantLog, record => Assert.Equal(driver.Client.ClientId, record.ClientId));
        Assert.Equal(1, driver.Server.RefreshTokenReuseCount);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_client_without_rotation_gets_no_refresh_token_and_keeps_the_original()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { RotateRefreshTokens = false });
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;

        using var first = await driver.RefreshAsync(refreshToken);
        using var second = await driver.RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null((await OAuthClientDriver.ReadJsonAsync(first))["refresh_token"]);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(0, driver.Server.RefreshTokenReuseCount);
    }

    [Fact]
    public async Task A_refresh_token_of_another_client_is_refused_without_revoking()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        var intruder = OAuthClientDriver.NewClient("other-app", "other-secret");
        driver.Server.RegisterClient(intruder);
        await using var other = new OAuthClientDriver(driver.Server, intruder);

        using var response = await other.RefreshAsync(refreshToken);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(response));
        Assert.False(driver.Server.GrantFor(refreshToken)!.IsRevoked);
    }

    [Fact]
    public async Task A_client_that_gets_no_refresh_tokens_receives_none_from_the_code_exchange()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { IssueRefreshTokens = false });

        var tokens = await driver.ConnectAsync();

        Assert.Null(tokens["refresh_token"]);
        Assert.Equal(1, driver.Server.ActiveGrantCount);
    }
}
