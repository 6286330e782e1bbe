using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Domain.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Processes;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// The runner process running a connection's JavaScript refresh block is killed while the provider is answering: the
/// provider has already rotated the refresh token, so asking it again would present a revoked token and lose the
/// grant. The run is retried on a fresh runner with the provider's answer replayed, and the connection keeps a
/// refresh token that still works.
/// </summary>
public sealed class RunnerCrashDuringRefreshTests(RunnerCrashDuringRefreshTests.Fixture fixture) : IClassFixture<RunnerCrashDuringRefreshTests.Fixture>
{
    private const string ClientId = "runner-crash";

    [Fact]
    public async Task A_runner_killed_mid_refresh_is_replaced_and_the_rotated_refresh_token_is_kept()
    {
        var connectionId = await fixture.Flow.ConnectOwnClientAsync(ClientId);
        var before = await fixture.Flow.AccessTokenAsync(connectionId);

        var answer = fixture.Provider.HoldNextIssuedTokens(ClientId);
        var refresh = fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        await answer.Reached.WaitAsync(TimeSpan.FromSeconds(20));

        // The provider has issued the new pair and holds its answer: end every runner of this service mid-run.
        var killed = fixture.KillRunners();
        Assert.NotEmpty(killed);
        await Task.WhenAll(killed.Select(runner => runner.WaitForExitAsync()).ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
        answer.Release();

        using (var response = await refresh.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var view = await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)view["status"]);
        Assert.Equal([200], RefreshStatuses());
        var after = await fixture.Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(before, after);
        Assert.True(fixture.Provider.IsAccessTokenActive(after));

        // The refresh token the connection kept is the rotated one: the provider takes it (a lost one would be reuse).
        fixture.Time.Advance(RefreshPolicy.FreshTokenWindow + TimeSpan.FromSeconds(1));
        using (var again = await fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
        }

        Assert.Equal([200, 200], RefreshStatuses());
        Assert.Equal(0, fixture.Provider.RefreshTokenReuseCount);
        Assert.True(fixture.Provider.IsAccessTokenActive(await fixture.Flow.AccessTokenAsync(connectionId)));
    }

    private List<int> RefreshStatuses() =>
        [.. fixture.Provider.RefreshGrantLog.Where(r => r.ClientId == ClientId).Select(r => r.StatusCode)];

    /// <summary>A service on a fake clock whose runners keep their temp folders under a folder of its own, which names its runner processes.</summary>
    public sealed class Fixture : ServiceFixture
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        protected override TimeProvider? Clock => Time;

        private readonly string _runnerTemp = Path.Combine(Path.GetTempPath(), $"viasocket-crash-runners-{Guid.NewGuid():N}");

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ViaSocket:Blocks:Runners:TempDirectory"] = _runnerTemp,
        };

        /// <summary>Sends SIGKILL to this service's runner processes (found by their command line) and returns them.</summary>
        public IReadOnlyList<Process> KillRunners()
        {
            var killed = new List<Process>();
            foreach (var pid in ProcessTable.WithCommandLineContaining(_runnerTemp))
            {
                try
                {
                    var process = Process.GetProcessById(pid);
                    process.Kill();
                    killed.Add(process);
                }
                catch (ArgumentException)
                {
                    // It ended on its own in between.
                }
            }

            return killed;
        }
    }
}
