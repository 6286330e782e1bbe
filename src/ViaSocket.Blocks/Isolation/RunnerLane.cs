using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// One share of the pool: its own runner processes, one worker per runner, and a bounded queue served round-robin
/// across workspaces. A runner that died is replaced before the next run; a run whose runner crashed (not one that
/// hit a limit) is retried once on a fresh runner, its requests answered from what the provider already said.
/// </summary>
internal sealed partial class RunnerLane : IAsyncDisposable
{
    /// <summary>After a failed start, runs fail fast for this long instead of each trying to spawn a process.</summary>
    private static readonly TimeSpan StartBackoff = TimeSpan.FromSeconds(5);

    private readonly BlockRunLane _lane;
    private readonly RunnerLaunch _launch;
    private readonly BlockIsolationOptions _options;
    private readonly bool _idle;
    private readonly ILogger _logger;
    private readonly FairQueue<WorkItem> _queue;
    private readonly RunnerProcess?[] _runners;
    private readonly int[] _retireAfter;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping = new();
    private long _lastStartFailure = long.MinValue;

    /// <param name="idle">Its runners run at idle priority.</param>
    public RunnerLane(BlockRunLane lane, int size, int maxQueuedPerTenant, RunnerLaunch launch, BlockIsolationOptions options, bool idle, ILogger logger)
    {
        _lane = lane;
        _launch = launch;
        _options = options;
        _idle = idle;
        _logger = logger;
        _queue = new FairQueue<WorkItem>(options.MaxQueuedRuns, maxQueuedPerTenant);
        _runners = new RunnerProcess?[Math.Max(1, size)];
        _retireAfter = new int[_runners.Length];
        _workers = [.. Enumerable.Range(0, _runners.Length).Select(slot => Task.Run(() => WorkAsync(slot)))];
    }

    public Task<ScriptOutcome> RunAsync(ScriptRun run, string tenant, GuardedBlockHttp http, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            // Shutting down: no worker would take it.
            return Task.FromResult(new ScriptOutcome(null, RunnerFailures.Unavailable(), []));
        }

        var item = new WorkItem(run, http, cancellationToken);
        return _queue.TryEnqueue(tenant, item) switch
        {
            null => item.Result.Task.WaitAsync(cancellationToken),
            "tenant" => Task.FromResult(new ScriptOutcome(null, RunnerFailures.Busy("for this workspace"), [])),
            _ => Task.FromResult(new ScriptOutcome(null, RunnerFailures.Busy("for a runner"), [])),
        };
    }

    private async Task WorkAsync(int slot)
    {
        if (_options.Prestart)
        {
            await EnsureRunnerAsync(slot).ConfigureAwait(false);
        }

        while (!_stopping.IsCancellationRequested)
        {
            WorkItem item;
            try
            {
                item = await _queue.DequeueAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (item.Cancellation.IsCancellationRequested)
            {
                item.Result.TrySetCanceled(item.Cancellation);
                continue;
            }

            try
            {
                item.Result.TrySetResult(await ExecuteAsync(slot, item).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                item.Result.TrySetCanceled(item.Cancellation);
            }

            // A runner retired or lost by that run is replaced now, before the next run has to wait for its start.
            if (_runners[slot] is null && _options.Prestart)
            {
                await EnsureRunnerAsync(slot).ConfigureAwait(false);
            }
        }
    }

    private async Task<ScriptOutcome> ExecuteAsync(int slot, WorkItem item)
    {
        var run = await ExecuteOnceAsync(slot, item).ConfigureAwait(false);
        if (run is { RunnerDied: true, Outcome.Failure.Code: BlockErrorCodes.RunnerCrashed })
        {
            // The crash was not the block's doing as far as anyone can tell (a limit would say so): run it again on a
            // fresh runner, with the provider's answers so far replayed rather than asked for twice.
            item.Http.BeginReplay();
            run = await ExecuteOnceAsync(slot, item).ConfigureAwait(false);
        }

        return run.Outcome;
    }

    /// <summary>Runs the item on the slot's runner, replacing the runner afterwards when it died or is used up.</summary>
    private async Task<RunnerRun> ExecuteOnceAsync(int slot, WorkItem item)
    {
        for (var handOffs = 0; handOffs < 3; handOffs++)
        {
            if (await EnsureRunnerAsync(slot).ConfigureAwait(false) is not { } runner)
            {
                break;
            }

            RunnerRun run;
            try
            {
                run = await runner.RunAsync(item.Run, item.Http, item.Cancellation).ConfigureAwait(false);
            }
            catch (RunnerNotStartedException)
            {
                // It had died between runs (after reporting its last one); nothing ran, so hand the run to a new one.
                continue;
            }
            catch (OperationCanceledException)
            {
                await ReplaceAsync(slot, "the caller gave up on the run").ConfigureAwait(false);
                throw;
            }

            if (run.RunnerDied)
            {
                var code = run.Outcome.Failure?.Code ?? BlockErrorCodes.RunnerCrashed;
                await ReplaceAsync(slot, run.ExitStatus is { } status ? $"{code}, exit status {status}" : code).ConfigureAwait(false);
            }
            else if (runner.Runs >= _retireAfter[slot])
            {
                await ReplaceAsync(slot, "it reached its run limit").ConfigureAwait(false);
            }

            return run;
        }

        return RunnerRun.Completed(new ScriptOutcome(null, RunnerFailures.Unavailable(), []));
    }

    private async Task<RunnerProcess?> EnsureRunnerAsync(int slot)
    {
        if (_runners[slot] is { HasExited: false } live)
        {
            return live;
        }

        if (_runners[slot] is { } dead)
        {
            _runners[slot] = null;
            await dead.DisposeAsync().ConfigureAwait(false);
        }

        var lastStartFailure = Interlocked.Read(ref _lastStartFailure);
        if (lastStartFailure != long.MinValue && Stopwatch.GetElapsedTime(lastStartFailure) < StartBackoff)
        {
            return null;
        }

        try
        {
            var runner = await RunnerProcess.StartAsync(_launch, _idle, _options.StartTimeout, _stopping.Token).ConfigureAwait(false);
            _runners[slot] = runner;
            // Up to a quarter more runs at random: runners started together must not all retire, and stall, together.
            _retireAfter[slot] = _options.MaxRunsPerRunner + Random.Shared.Next(Math.Max(1, _options.MaxRunsPerRunner / 4));
            var isolation = runner.Isolation;
            LogStarted(_logger, _lane, runner.Pid, isolation.Uid, isolation.HeapLimitBytes / (1024 * 1024), isolation.LandlockAbi, isolation.NetworkDenied, isolation.IdlePriority);
            return runner;
        }
        catch (RunnerStartException error)
        {
            Interlocked.Exchange(ref _lastStartFailure, Stopwatch.GetTimestamp());
            LogStartFailed(_logger, _lane, _launch.RunnerPath, error.Message);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task ReplaceAsync(int slot, string reason)
    {
        if (_runners[slot] is { } runner)
        {
            _runners[slot] = null;
            LogReplaced(_logger, _lane, runner.Pid, reason);
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        foreach (var runner in _runners)
        {
            if (runner is not null)
            {
                await runner.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private sealed record WorkItem(ScriptRun Run, GuardedBlockHttp Http, CancellationToken Cancellation)
    {
        public TaskCompletionSource<ScriptOutcome> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Block runner {Pid} started for {Lane} (uid {Uid}, heap ceiling {HeapMegabytes} MiB, Landlock ABI {LandlockAbi}, network denied: {NetworkDenied}, idle priority: {IdlePriority})")]
    private static partial void LogStarted(ILogger logger, BlockRunLane lane, int pid, int uid, long heapMegabytes, int landlockAbi, bool networkDenied, bool idlePriority);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Block runner {Pid} of {Lane} was replaced: {Reason}")]
    private static partial void LogReplaced(ILogger logger, BlockRunLane lane, int pid, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A block runner for {Lane} could not start from {RunnerPath}: {Reason}; JavaScript blocks fail with block.runner_unavailable until one does")]
    private static partial void LogStartFailed(ILogger logger, BlockRunLane lane, string runnerPath, string reason);
}
