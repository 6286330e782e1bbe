using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace ViaSocket.TestProvider.Tests;

/// <summary>Rotation with a reuse grace, refresh-token lifetimes and dropped token responses, on the server's fake clock.</summary>
public sealed class RefreshTokenGraceTests
{
    [Fact]
    public async Task A_retired_refresh_token_is_accepted_inside_the_grace_and_rotates_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { RefreshTokenReuseGrace = TimeSpan.FromSeconds(30) }, time);
        var oldRefreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        using var lostAnswer = await driver.RefreshAsync(oldRefreshToken);

        time.Advance(TimeSpan.FromSeconds(29));
        using var replay = await driver.RefreshAsync(oldRefreshToken);
        var replayed = await OAuthClientDriver.ReadJsonAsync(replay);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.NotEqual(oldRefreshToken, (string?)replayed["refresh_token"]);
        Assert.Equal(1, driver.Server.RefreshTokenGraceReplays);
        Assert.Equal(0, driver.Server.RefreshTokenReuseCount);
        Assert.True(driver.Server.IsAccessTokenActive((string)replayed["access_token"]!));
    }

    [Fact]
    public async Task A_retired_refresh_token_is_refused_with_invalid_grant_once_the_grace_is_over()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { RefreshTokenReuseGrace = TimeSpan.FromSeconds(30) }, time);
        var oldRefreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        using var lostAnswer = await driver.RefreshAsync(oldRefreshToken);

        time.Advance(TimeSpan.FromSeconds(30));
        using var replay = await driver.RefreshAsync(oldRefreshToken);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(replay));
        Assert.Equal(0, driver.Server.RefreshTokenGraceReplays);
        Assert.Equal(1, driver.Server.RefreshTokenReuseCount);
    }

    [Fact]
    public async Task Refresh_tokens_with_a_lifetime_say_it_and_are_refused_after_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { RefreshTokenLifetime = TimeSpan.FromDays(7) }, time);
        var connected = await driver.ConnectAsync();
        Assert.Equal(604800, (long)connected["refresh_token_expires_in"]!);

        time.Advance(TimeSpan.FromDays(7));
        using var expired = await driver.RefreshAsync((string)connected["refresh_token"]!);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(expired));
    }

    [Fact]
    public async Task A_dropped_token_response_rotates_at_the_server_and_never_reaches_the_client()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var oldRefreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        var hold = driver.Server.HoldNextIssuedTokens(driver.Client.ClientId, drop: true);

        var refresh = driver.RefreshAsync(oldRefreshToken);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        hold.Release();

        await Assert.ThrowsAsync<HttpRequestException>(() => refresh.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(oldRefreshToken, driver.Server.GrantFor(oldRefreshToken)!.CurrentRefreshToken);

        // The server logs the request once its handler ends, which the client's failure can overtake.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (driver.Server.RefreshGrantLog.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(TokenResponseHold.DroppedStatus, Assert.Single(driver.Server.RefreshGrantLog).StatusCode);
    }
}
