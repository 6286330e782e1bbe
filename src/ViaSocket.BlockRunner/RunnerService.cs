using Microsoft.Extensions.Options;
using ViaSocket.Blocks;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.BlockRunner;

/// <summary>
/// The runner's loop: one run at a time, each in a fresh sandbox engine; outbound requests relayed to the silo.
/// A run that exhausts the heap or will not stop ends the process (after reporting, when it still can): the silo
/// replaces it, and no other run shared it.
/// </summary>
internal sealed class RunnerService(Stream input, Stream output)
{
    /// <summary>How long past its budget a run may take to wind down before the runner ends itself.</summary>
    private static readonly TimeSpan WatchdogGrace = TimeSpan.FromSeconds(1);

    private readonly RunnerChannel _channel = new(output);
    private readonly PreparedScriptCache _scripts = new(Options.Create(new SandboxOptions()));
    private RelayedBlockHttp? _current;
    private long _currentRunId = -1;

    // Set when a run is handed over, cleared just before its result is sent: the silo may send the next run the moment
    // it reads that result, before the finished run's task has unwound.
    private int _busy;

    /// <summary>Runs a trivial block, so the engine is compiled and its assemblies loaded before confinement.</summary>
    public static async Task WarmUpAsync()
    {
        var scripts = new PreparedScriptCache(Options.Create(new SandboxOptions()));
        var run = new ScriptRun("warm-up", "return JSON.stringify({ a: [1, 2].map((x) => x * 2), b: btoa('x') });", "{}", new SandboxOptions(), CaptureConsole: true);
        await SandboxRun.RunAsync(run, new NoOutboundHttp(), scripts, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<int> RunAsync(RunnerIsolation isolation)
    {
        await _channel.SendAsync(new ReadyMessage(isolation)).ConfigureAwait(false);
        try
        {
            while (await RunnerFrames.ReadAsync(input, RunnerFrames.MaxToRunnerBytes, CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                switch (RunnerMessage.FromFrame(frame))
                {
                    case RunMessage run when Interlocked.CompareExchange(ref _busy, 1, 0) == 0:
                        var relay = new RelayedBlockHttp(_channel, run.Id);
                        _current = relay;
                        _currentRunId = run.Id;
                        _ = Task.Run(() => ExecuteAsync(run, relay));
                        break;
                    case HttpReplyMessage reply when reply.Id == _currentRunId && _current is not null:
                        _current.Complete(reply);
                        break;
                    default:
                        throw new RunnerProtocolException(RunnerProtocolException.Unexpected, "A message the runner did not expect.");
                }
            }
        }
        catch (RunnerProtocolException)
        {
            return RunnerExitCodes.Failed;
        }

        return RunnerExitCodes.Closed;
    }

    private async Task ExecuteAsync(RunMessage message, RelayedBlockHttp relay)
    {
        var limits = message.Limits;
        Confinement.LimitCpuForRun(limits.Timeout + WatchdogGrace);
        using var watchdog = new Timer(_ => EndRun(message.Id, TimedOut(limits), RunnerExitCodes.TimedOut), null, limits.Timeout + WatchdogGrace, Timeout.InfiniteTimeSpan);
        DoneMessage done;
        try
        {
            var run = new ScriptRun(message.CacheKey, message.Code, message.ContextJson, limits, message.CaptureConsole);
            var outcome = await SandboxRun.RunAsync(run, relay, _scripts, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            done = new DoneMessage(message.Id, outcome.Result?.ToJsonString(), outcome.Failure is { } failure ? RunnerFailure.From(failure) : null, outcome.Console);
        }
        catch (OutOfMemoryException)
        {
            EndRun(message.Id, RunnerFailures.MemoryExceeded(), RunnerExitCodes.MemoryExceeded);
            return;
        }

        await watchdog.DisposeAsync().ConfigureAwait(false);
        Volatile.Write(ref _busy, 0);
        await _channel.SendAsync(done).ConfigureAwait(false);
    }

    /// <summary>Reports the run's failure and ends the process at once (a stuck or starved run cannot be trusted to unwind).</summary>
    private void EndRun(long runId, BlockFailure failure, int exitCode)
    {
        try
        {
            _channel.SendAsync(new DoneMessage(runId, null, RunnerFailure.From(failure), [], Exiting: true)).Wait(TimeSpan.FromSeconds(1));
        }
        catch (Exception)
        {
            // The silo classifies the exit status instead.
        }

        Native.Exit(exitCode);
    }

    private static BlockFailure TimedOut(SandboxOptions limits) => SandboxOutcome.FromException(new TimeoutException(), limits.Timeout)!;

    private sealed class NoOutboundHttp : IBlockHttpChannel
    {
        public Task<string> SendAsync(string requestJson, CancellationToken cancellationToken)
            => Task.FromResult(OutboundEnvelopes.Failure("ERR_NOT_SUPPORTED", "Outbound requests are not available here."));
    }
}
