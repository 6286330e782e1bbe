using System.Diagnostics;
using System.Text.Json.Nodes;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Domain.Definitions;
using ViaSocket.Testing.Processes;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// The runner pool's lanes and turns, on real runner processes of a pool of its own (so no other test's runs share
/// its queues): a workspace flooding test runs with blocks that burn their whole budget delays neither connections'
/// runs nor another workspace's test runs by more than one turn.
/// </summary>
public sealed class RunnerSchedulingTests
{
    private const string Spin = "while (true) {}";
    private static int s_keys;

    [Fact]
    public async Task Test_runs_that_burn_their_budget_do_not_delay_a_connections_run()
    {
        using var harness = await WarmHarnessAsync(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        var flood = Enumerable.Range(0, 4).Select(_ => TimedAsync(harness, Spin, BlockRunLane.TestRuns, "flooding", clock)).ToList();

        var refresh = await TimedAsync(harness, "return { access_token: 'fresh' };", BlockRunLane.Connections, "other", clock);

        Assert.Null(refresh.Result.Failure);
        var flooded = await Task.WhenAll(flood);
        Assert.All(flooded, run => Assert.Equal(BlockErrorCodes.Timeout, run.Result.Failure?.Code));
        Assert.True(refresh.FinishedAt < flooded.Min(run => run.FinishedAt), $"The connection run finished at {refresh.FinishedAt}, after a test run that took its whole budget.");
    }

    [Fact]
    public async Task A_workspaces_burst_of_test_runs_delays_another_workspaces_test_run_by_one_turn_at_most()
    {
        using var harness = await WarmHarnessAsync(TimeSpan.FromSeconds(1.5));
        var clock = Stopwatch.StartNew();
        var burst = new List<Task<TimedRun>>();
        for (var i = 0; i < 4; i++)
        {
            burst.Add(TimedAsync(harness, Spin, BlockRunLane.TestRuns, "bursting", clock));
        }

        // Queued after the whole burst: first come, first served would run it last.
        await Task.Delay(200);
        var other = await TimedAsync(harness, "return { ok: true };", BlockRunLane.TestRuns, "patient", clock);

        Assert.Null(other.Result.Failure);
        var finished = (await Task.WhenAll(burst)).Select(run => run.FinishedAt).Order().ToList();
        Assert.True(other.FinishedAt < finished[2], $"The other workspace's run finished at {other.FinishedAt}; the burst's at {string.Join(", ", finished)}.");
    }

    [Fact]
    public async Task A_workspace_past_its_queued_test_runs_is_refused_at_once_while_another_still_queues()
    {
        using var harness = await WarmHarnessAsync(TimeSpan.FromSeconds(1.5), maxQueuedPerWorkspace: 2);
        var clock = Stopwatch.StartNew();
        // One running, then two waiting: the workspace's whole allowance.
        var accepted = new List<Task<TimedRun>> { TimedAsync(harness, Spin, BlockRunLane.TestRuns, "bursting", clock) };
        await Task.Delay(200);
        accepted.Add(TimedAsync(harness, Spin, BlockRunLane.TestRuns, "bursting", clock));
        accepted.Add(TimedAsync(harness, Spin, BlockRunLane.TestRuns, "bursting", clock));

        var refused = await TimedAsync(harness, Spin, BlockRunLane.TestRuns, "bursting", clock);
        var other = TimedAsync(harness, "return { ok: true };", BlockRunLane.TestRuns, "patient", clock);

        Assert.Equal(BlockErrorCodes.RunnerBusy, refused.Result.Failure?.Code);
        Assert.True(refused.FinishedAt < TimeSpan.FromSeconds(1), $"Refused only at {refused.FinishedAt}.");
        Assert.Null((await other).Result.Failure);
        Assert.All(await Task.WhenAll(accepted), run => Assert.Equal(BlockErrorCodes.Timeout, run.Result.Failure?.Code));
    }

    [Fact]
    public async Task A_runner_that_served_its_runs_is_replaced_by_a_fresh_process_and_no_run_fails()
    {
        var temp = Path.Combine(Path.GetTempPath(), $"viasocket-recycle-{Guid.NewGuid():N}");
        using var harness = new BlockRunnerHarness(ownPool: new BlockIsolationOptions { ConnectionRunners = 1, MaxRunsPerRunner = 2, TempDirectory = temp });
        var clock = Stopwatch.StartNew();
        var runners = new HashSet<int>();
        for (var i = 0; i < 8; i++)
        {
            Assert.Null((await TimedAsync(harness, "return { ok: true };", BlockRunLane.Connections, "recycling", clock)).Result.Failure);
            runners.UnionWith(ProcessTable.WithCommandLineContaining(temp));
        }

        // Two runs each (a quarter of 2 adds none): eight runs on four runners, a fifth started right after the last
        // retired without a run asking for it, and the test-run lane's one.
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(20);
        while (runners.Count < 6 && clock.Elapsed < deadline)
        {
            await Task.Delay(50);
            runners.UnionWith(ProcessTable.WithCommandLineContaining(temp));
        }

        Assert.Equal(6, runners.Count);
    }

    /// <summary>A pool of one runner per lane, both started and through a first run, so timings are the lanes' alone.</summary>
    private static async Task<BlockRunnerHarness> WarmHarnessAsync(TimeSpan timeout, int maxQueuedPerWorkspace = 4)
    {
        var harness = new BlockRunnerHarness(
            sandbox: options => (options.Timeout, options.MaxStatements) = (timeout, int.MaxValue),
            ownPool: new BlockIsolationOptions { ConnectionRunners = 1, TestRunRunners = 1, MaxQueuedTestRunsPerWorkspace = maxQueuedPerWorkspace });
        var clock = Stopwatch.StartNew();
        foreach (var lane in new[] { BlockRunLane.Connections, BlockRunLane.TestRuns })
        {
            Assert.Null((await TimedAsync(harness, "return { warm: true };", lane, "warm-up", clock)).Result.Failure);
        }

        return harness;
    }

    private static async Task<TimedRun> TimedAsync(BlockRunnerHarness harness, string code, BlockRunLane lane, string tenant, Stopwatch clock)
    {
        var result = await harness.Runner.RunAsync(new BlockRunRequest(
            $"scheduling/{Interlocked.Increment(ref s_keys)}", new ApiBlock { Code = code }, new JsonObject(), BlockUrlPolicy.AddressGuardOnly)
        {
            Lane = lane,
            Tenant = tenant,
        });
        return new TimedRun(result, clock.Elapsed);
    }

    private sealed record TimedRun(BlockRunResult Result, TimeSpan FinishedAt);
}
