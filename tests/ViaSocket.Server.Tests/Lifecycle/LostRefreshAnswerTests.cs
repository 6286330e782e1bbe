using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// The provider rotates the refresh token and the connection carrying its answer is cut: inside the version's declared
/// reuse grace the refresh is asked again at once with the same token; after it, or when the provider refuses the
/// replay, the connection needs reauthorization and says why. The service runs on a fake clock, the provider on real time.
/// </summary>
public sealed class LostRefreshAnswerTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task A_lost_answer_inside_the_grace_is_asked_again_at_once_with_the_same_token_and_the_connection_stays_active()
    {
        var connectionId = await ConnectAsync("lost-inside", providerGrace: TimeSpan.FromSeconds(60), declaredGrace: 60);
        var before = await Flow.AccessTokenAsync(connectionId);
        var replaysBefore = Provider.RefreshTokenGraceReplays;

        await RefreshWithDroppedAnswerAsync("lost-inside", connectionId, TimeSpan.Zero);

        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)view["status"]);
        Assert.Equal([TokenResponseHold.DroppedStatus, 200], RefreshStatuses("lost-inside"));
        Assert.Equal(replaysBefore + 1, Provider.RefreshTokenGraceReplays);
        var after = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(before, after);
        Assert.True(Provider.IsAccessTokenActive(after));
    }

    [Fact]
    public async Task A_lost_answer_read_after_the_grace_needs_reauthorization_without_presenting_the_token_again()
    {
        // Grace and delay stay under the block timeout (10 s on the service's clock): a jump past it would cancel the
        // call and hang up before the provider drops the answer, which is a different loss.
        var connectionId = await ConnectAsync("lost-outside", providerGrace: TimeSpan.FromSeconds(5), declaredGrace: 5);

        await RefreshWithDroppedAnswerAsync("lost-outside", connectionId, TimeSpan.FromSeconds(6));

        await AssertReauthAsync(connectionId, ConnectionErrorCodes.RefreshInterrupted);
        Assert.Equal([TokenResponseHold.DroppedStatus], RefreshStatuses("lost-outside"));
    }

    [Fact]
    public async Task With_a_grace_of_zero_a_lost_answer_needs_reauthorization_at_once()
    {
        var connectionId = await ConnectAsync("lost-no-grace", providerGrace: TimeSpan.Zero, declaredGrace: 0);

        await RefreshWithDroppedAnswerAsync("lost-no-grace", connectionId, TimeSpan.Zero);

        await AssertReauthAsync(connectionId, ConnectionErrorCodes.RefreshInterrupted);
        Assert.Equal([TokenResponseHold.DroppedStatus], RefreshStatuses("lost-no-grace"));
    }

    [Fact]
    public async Task A_replay_the_provider_refuses_inside_the_grace_needs_reauthorization_saying_the_refresh_was_interrupted()
    {
        // The version declares a grace the provider does not give: the replay is reuse, and the grant is revoked.
        var connectionId = await ConnectAsync("lost-refused", providerGrace: TimeSpan.Zero, declaredGrace: 60);
        var reusesBefore = Provider.RefreshTokenReuseCount;

        await RefreshWithDroppedAnswerAsync("lost-refused", connectionId, TimeSpan.Zero);

        await AssertReauthAsync(connectionId, ConnectionErrorCodes.RefreshInterrupted);
        Assert.Equal([TokenResponseHold.DroppedStatus, 400], RefreshStatuses("lost-refused"));
        Assert.Equal(reusesBefore + 1, Provider.RefreshTokenReuseCount);
    }

    [Fact]
    public async Task Without_a_declared_grace_a_lost_answer_is_a_transient_failure_as_before()
    {
        var connectionId = await ConnectAsync("lost-undeclared", providerGrace: TimeSpan.FromSeconds(60), declaredGrace: null);

        await RefreshWithDroppedAnswerAsync("lost-undeclared", connectionId, TimeSpan.Zero);

        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("degraded", (string?)view["status"]);
        Assert.Equal([TokenResponseHold.DroppedStatus], RefreshStatuses("lost-undeclared"));
    }

    private async Task<string> ConnectAsync(string clientId, TimeSpan providerGrace, int? declaredGrace) =>
        await Flow.ConnectOwnClientAsync(clientId, client => client with { RefreshTokenReuseGrace = providerGrace }, definition =>
        {
            if (declaredGrace is { } grace)
            {
                definition["refreshTokenPolicy"] = new JsonObject { ["reuseGraceSeconds"] = grace };
            }
        });

    /// <summary>Asks for a refresh whose rotated tokens the provider drops after <paramref name="delay"/> of the service's time.</summary>
    private async Task RefreshWithDroppedAnswerAsync(string clientId, string connectionId, TimeSpan delay)
    {
        var answer = Provider.HoldNextIssuedTokens(clientId, drop: true);
        var refresh = Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        await answer.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        fixture.Time.Advance(delay);
        answer.Release();

        // Its status is the other engineer's to shape; what counts here is the connection afterwards.
        (await refresh.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
    }

    private async Task AssertReauthAsync(string connectionId, string reason)
    {
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("reauth_required", (string?)view["status"]);
        var last = view["history"]!.AsArray()[^1]!;
        Assert.Equal(ConnectionEventKinds.ReauthRequired, (string?)last["kind"]);
        Assert.Equal(reason, (string?)last["detail"]);
    }

    private List<int> RefreshStatuses(string clientId) => [.. Provider.RefreshGrantLog.Where(r => r.ClientId == clientId).Select(r => r.StatusCode)];
}
