using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>Two silo processes on one PostgreSQL; the one hosting a connection is killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class SiloFailoverTests
{
    [Fact]
    public async Task When_the_hosting_silo_is_killed_the_other_takes_its_reminder_and_refreshes_before_expiry()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromSeconds(90));
        var provider = cluster.Provider;
        var refreshesBefore = provider.RefreshGrants;

        cluster.Victim.Kill();

        // The token lives 90 s and falls due for refresh at 45 s; the survivor must notice the death, take the
        // reminder range and refresh in that window, without anyone asking for credentials.
        var deadline = cluster.Before.ExpiresAt!.Value;
        while (provider.RefreshGrants == refreshesBefore && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.True(provider.RefreshGrants > refreshesBefore, "no refresh reached the provider before the token expired");
        Assert.True(DateTimeOffset.UtcNow < deadline);
        Assert.Equal(0, provider.RefreshTokenReuseCount);

        // Reads are answered with the old, still valid token until the refreshed one is stored.
        using var survivorApi = cluster.SurvivorApi();
        var authorization = await ConnectFlow.ReadUntilChangedAsync(AuthorizationAsync, cluster.Before.Headers["Authorization"], deadline);
        Assert.NotEqual(cluster.Before.Headers["Authorization"], authorization);
        Assert.True(provider.IsAccessTokenActive(authorization["Bearer ".Length..]));

        async Task<string> AuthorizationAsync() =>
            (string)JsonNode.Parse(await survivorApi.GetStringAsync($"/v1/connections/{cluster.ConnectionId}/credentials"))!["headers"]!["Authorization"]!;
    }

    [Fact]
    public async Task Reads_through_the_surviving_front_end_while_the_hosting_silo_dies_are_answered_not_failed()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromHours(1));

        cluster.Victim.Kill();

        // The first reads go to the dead silo's activation; the front-end must wait out the detection and answer.
        using var survivorApi = cluster.SurvivorApi();
        var reads = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await survivorApi.GetAsync($"/v1/connections/{cluster.ConnectionId}/credentials");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        });
        var answers = await Task.WhenAll(reads);

        Assert.All(answers, answer => Assert.True(answer.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)answer.StatusCode}: {answer.Body}"));
        var token = ((string)JsonNode.Parse(answers[0].Body)!["headers"]!["Authorization"]!)["Bearer ".Length..];
        Assert.True(cluster.Provider.IsAccessTokenActive(token));
    }

    [Fact]
    public async Task When_the_hosting_silo_is_stopped_during_a_refresh_the_rotated_token_is_stored_not_lost()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromHours(1));
        var provider = cluster.Provider;
        var providerAnswer = provider.HoldNextIssuedTokens(ProviderDefinitions.ClientId);
        using var survivorApi = cluster.SurvivorApi();

        // The provider has rotated the refresh token and holds its answer while the hosting silo is asked to stop.
        var refresh = survivorApi.PostAsync($"/v1/connections/{cluster.ConnectionId}/refresh", null);
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = cluster.Victim.TerminateAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));
        providerAnswer.Release();
        Assert.True(await stopping, "the silo did not stop within 60 s of SIGTERM");
        (await refresh).Dispose();

        // Had the new refresh token been dropped with the activation, the next refresh would present the retired one.
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // past the window in which an on-demand refresh is answered with the fresh token
        using var next = await survivorApi.PostAsync($"/v1/connections/{cluster.ConnectionId}/refresh", null);
        var body = await next.Content.ReadAsStringAsync();

        Assert.True(next.IsSuccessStatusCode, $"{(int)next.StatusCode}: {body}");
        Assert.Equal(0, provider.RefreshTokenReuseCount);
        Assert.Equal(2, provider.RefreshGrantLog.Count(r => r.StatusCode == 200));
    }
}
