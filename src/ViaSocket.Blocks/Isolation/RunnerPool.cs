using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// The silo's warm runner processes, in two lanes with their own runners: connections (connect, refresh, revoke)
/// and author test runs, so neither can starve the other and drafts never share a process with a connection's
/// context. Connection runners run at the silo's CPU priority: their runs are production refreshes, and below it a
/// busy silo starved them until tokens expired (a JavaScript refresh storm drained at a sixth of the declarative
/// rate). Their CPU is bounded instead by the lane's size and each run's CPU budget. Test runs run at idle priority
/// (SCHED_IDLE), so an author's busy draft slows drafts, not credential reads or refreshes.
/// </summary>
internal sealed partial class RunnerPool : IScriptHost, IAsyncDisposable, IDisposable
{
    private readonly RunnerLane _connections;
    private readonly RunnerLane _testRuns;
    private int _disposed;

    public RunnerPool(IOptions<BlockIsolationOptions> options, ILogger<RunnerPool> logger)
    {
        if (!SiloMemoryProtection.Apply())
        {
            LogNotProtected(logger);
        }

        var settings = options.Value;
        var launch = new RunnerLaunch(settings);
        _connections = new RunnerLane(BlockRunLane.Connections, settings.ConnectionRunners, settings.MaxQueuedRuns, launch, settings, idle: false, logger);
        _testRuns = new RunnerLane(BlockRunLane.TestRuns, settings.TestRunRunners, settings.MaxQueuedTestRunsPerWorkspace, launch, settings, idle: true, logger);
    }

    public Task<ScriptOutcome> RunAsync(ScriptRun run, ScriptPlacement placement, GuardedBlockHttp http, CancellationToken cancellationToken)
        => (placement.Lane == BlockRunLane.TestRuns ? _testRuns : _connections).RunAsync(run, placement.Tenant ?? "", http, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The container may hold it both as itself and as the script host.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _connections.DisposeAsync().ConfigureAwait(false);
        await _testRuns.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This process could not be marked non-dumpable: a block runner under the same user and without Landlock could read its memory")]
    private static partial void LogNotProtected(ILogger logger);
}
