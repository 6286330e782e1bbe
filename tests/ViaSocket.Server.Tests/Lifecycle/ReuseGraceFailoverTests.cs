using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.SampleEngine;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Two silo processes; the one hosting a connection is killed with SIGKILL after the provider rotated the refresh
/// token and before its answer was stored. The connection's next owner finds the dead silo's claim: inside the
/// version's declared reuse grace it asks again at once with the stored token; after it, it needs reauthorization.
/// </summary>
public sealed class ReuseGraceFailoverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Inside_the_grace_the_next_owner_replays_the_interrupted_refresh_at_once_and_the_connection_lives_on()
    {
        await using var cluster = await StartAsync(TimeSpan.FromMinutes(10));
        await KillDuringRefreshAsync(cluster);

        using var survivorApi = cluster.SurvivorApi();
        var before = cluster.Before.Headers["Authorization"];
        var authorization = await ConnectFlow.ReadUntilChangedAsync(AuthorizationAsync, before, DateTimeOffset.UtcNow + Bound);

        Assert.NotEqual(before, authorization);
        Assert.True(cluster.Provider.IsAccessTokenActive(authorization["Bearer ".Length..]));
        Assert.Equal(1, cluster.Provider.RefreshTokenGraceReplays);
        Assert.Equal(0, cluster.Provider.RefreshTokenReuseCount);
        Assert.Equal("active", (string?)(await ViewAsync(survivorApi, cluster))["status"]);

        async Task<string> AuthorizationAsync() =>
            (string)JsonNode.Parse(await survivorApi.GetStringAsync($"/v1/connections/{cluster.ConnectionId}/credentials"))!["headers"]!["Authorization"]!;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task After_the_grace_or_without_one_the_next_owner_requires_reauthorization_without_presenting_the_token(int graceSeconds)
    {
        await using var cluster = await StartAsync(TimeSpan.FromSeconds(graceSeconds));
        await KillDuringRefreshAsync(cluster);

        // Noticing the death takes seconds, past a two-second grace; the first call after it activates the connection anew.
        using var survivorApi = cluster.SurvivorApi();
        var deadline = DateTime.UtcNow + Bound;
        var view = await ViewAsync(survivorApi, cluster);
        while ((string?)view["status"] != "reauth_required" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            view = await ViewAsync(survivorApi, cluster);
        }

        Assert.Equal("reauth_required", (string?)view["status"]);
        var last = view["history"]!.AsArray()[^1]!;
        Assert.Equal(ConnectionEventKinds.ReauthRequired, (string?)last["kind"]);
        Assert.Equal(ConnectionErrorCodes.RefreshInterrupted, (string?)last["detail"]);

        // Only the killed silo's refresh reached the provider; the rotated-away token was never presented again.
        Assert.Single(cluster.Provider.RefreshGrantLog);
        Assert.Equal(0, cluster.Provider.RefreshTokenReuseCount);
    }

    /// <summary>A provider with the given reuse grace and a version declaring the same.</summary>
    private static Task<TwoSilos> StartAsync(TimeSpan grace) => TwoSilos.StartWithConnectionAsync(
        TimeSpan.FromHours(1),
        client => client with { RefreshTokenReuseGrace = grace },
        definition => definition["refreshTokenPolicy"] = new JsonObject { ["reuseGraceSeconds"] = (int)grace.TotalSeconds });

    /// <summary>
    /// Has the hosting silo send a refresh asked for by an engine, lets the provider rotate the token, then kills the
    /// silo before the answer reaches it. The engine's call fails with the silo and is not retried, so only the
    /// connection's next activation (here, by a credentials read) can notice the interrupted refresh.
    /// </summary>
    private static async Task KillDuringRefreshAsync(TwoSilos cluster)
    {
        var providerAnswer = cluster.Provider.HoldNextIssuedTokens(ProviderDefinitions.ClientId);
        using var engine = EngineClient.CreateHost(cluster.ConnectionString);
        await engine.StartAsync();
        var grain = engine.Services.GetRequiredService<IClusterClient>().GetGrain<IConnectionGrain>(GrainKeys.Connection("default", cluster.ConnectionId));
        var refresh = grain.RefreshAsync();
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        cluster.Victim.Kill();

        // However the engine's call ends (failed with the silo, or timed out), the connection is what counts.
        await Task.WhenAny(refresh.ContinueWith(call => call.Exception, TaskScheduler.Default), Task.Delay(Bound));
        await engine.StopAsync();
    }

    private static async Task<JsonNode> ViewAsync(HttpClient api, TwoSilos cluster) =>
        JsonNode.Parse(await api.GetStringAsync($"/v1/connections/{cluster.ConnectionId}"))!;
}
