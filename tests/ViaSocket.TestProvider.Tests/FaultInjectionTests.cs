using System.Net;

namespace ViaSocket.TestProvider.Tests;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task Injected_503s_fail_the_next_requests_and_then_the_server_recovers()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        driver.Server.FailNextTokenRequests(2, 503);

        using var first = await driver.RefreshAsync(refreshToken);
        using var second = await driver.RefreshAsync(refreshToken);
        using var third = await driver.RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("temporarily_unavailable", await OAuthClientDriver.ReadErrorAsync(second));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal([503, 503, 200], driver.Server.RefreshGrantLog.Select(record => record.StatusCode));
        Assert.Equal(3, driver.Server.RefreshGrants);
        Assert.Equal(4, driver.Server.TokenRequests);
    }

    [Fact]
    public async Task An_injected_429_carries_retry_after_in_whole_seconds_and_the_given_error()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        driver.Server.FailNextTokenRequests(1, 429, TimeSpan.FromSeconds(1.5), "slow_down");

        using var response = await driver.RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Equal("slow_down", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task An_outage_answers_every_token_request_with_an_html_error_until_it_is_cleared()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        driver.Server.TokenEndpointOutage = 502;

        using var during = await driver.RefreshAsync(refreshToken);
        driver.Server.TokenEndpointOutage = null;
        using var after = await driver.RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.BadGateway, during.StatusCode);
        Assert.Equal("text/html", during.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_token_endpoint_delay_trips_the_caller_timeout_and_is_logged_as_abandoned()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var refreshToken = (string)(await driver.ConnectAsync())["refresh_token"]!;
        driver.Server.TokenEndpointDelay = TimeSpan.FromSeconds(30);
        await using var impatient = new OAuthClientDriver(driver.Server, driver.Client);

        // Long enough that the request reaches the endpoint first even on a loaded machine, far below the delay.
        impatient.Http.Timeout = TimeSpan.FromSeconds(2);

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.RefreshAsync(refreshToken));
        var abandoned = await WaitForAsync(() => driver.Server.RefreshGrantLog.SingleOrDefault());

        Assert.Equal(499, abandoned.StatusCode);
        Assert.False(driver.Server.GrantFor(refreshToken)!.IsRevoked);
    }

    [Fact]
    public async Task Fault_settings_outside_the_error_range_are_rejected()
    {
        await using var server = await TestAuthorizationServer.StartAsync();

        Assert.Throws<ArgumentOutOfRangeException>(() => server.FailNextTokenRequests(1, 200));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.TokenEndpointOutage = 302);
        Assert.Throws<ArgumentOutOfRangeException>(() => server.TokenEndpointDelay = TimeSpan.FromSeconds(-1));
    }

    /// <summary>The server finishes the abandoned request a moment after the client gave up; poll briefly for it.</summary>
    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The expected server state did not appear within 5 seconds.");
    }
}
