using System.Diagnostics;
using System.Text;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// One runner process and its channel. Runs one block at a time; relays the block's requests to its
/// <see cref="GuardedBlockHttp"/>; kills the process when the run outlives its budget, the caller gives up, or the
/// runner breaks the protocol. A runner that died mid-run is classified from its exit status.
/// </summary>
internal sealed class RunnerProcess : IAsyncDisposable
{
    /// <summary>How long past its budget the silo waits for a run before it kills the runner (the runner's own watchdog fires first).</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(3);
    private const int MaxStderrCharacters = 4096;

    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly StringBuilder _stderr;
    private readonly string _tempDirectory;
    private long _nextRunId;
    private bool _killedByUs;

    private RunnerProcess(Process process, string tempDirectory, StringBuilder stderr, RunnerIsolation isolation)
    {
        _process = process;
        _tempDirectory = tempDirectory;
        _stderr = stderr;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        Isolation = isolation;
    }

    public RunnerIsolation Isolation { get; }

    public int Pid => _process.Id;

    public int Runs { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <exception cref="RunnerStartException">The process did not start or did not report ready in time.</exception>
    /// <param name="idle">The runner runs at idle priority (it sets that itself, for every thread).</param>
    public static async Task<RunnerProcess> StartAsync(RunnerLaunch launch, bool idle, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var start = launch.StartInfo(RunnerLaunch.PriorityOption, idle ? RunnerLaunch.IdlePriority : RunnerLaunch.NormalPriority);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RunnerStartException("The runner process did not start.");
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            DeleteTemp(start.WorkingDirectory);
            throw new RunnerStartException($"The runner process did not start: {error.Message}");
        }

        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, line) => Append(stderr, line.Data);
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(startTimeout);
            var frame = await RunnerFrames.ReadAsync(process.StandardOutput.BaseStream, RunnerFrames.MaxFromRunnerBytes, timeout.Token).ConfigureAwait(false);
            if (frame is null || RunnerMessage.FromFrame(frame) is not ReadyMessage ready)
            {
                throw new RunnerStartException($"The runner did not report ready: {Tail(stderr)}");
            }

            return new RunnerProcess(process, start.WorkingDirectory, stderr, ready.Isolation);
        }
        catch (Exception error) when (error is OperationCanceledException or RunnerProtocolException or IOException)
        {
            Kill(process);
            process.Dispose();
            DeleteTemp(start.WorkingDirectory);
            throw new RunnerStartException(error is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? "The runner did not report ready in time."
                : $"The runner failed to start: {Tail(stderr)}");
        }
    }

    /// <summary>Runs one block. A runner that died or was killed is not usable afterwards (<see cref="HasExited"/>).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the runner was killed).</exception>
    /// <exception cref="RunnerNotStartedException">The run could not be handed to the runner (it had already exited); nothing ran.</exception>
    public async Task<RunnerRun> RunAsync(ScriptRun run, GuardedBlockHttp http, CancellationToken cancellationToken)
    {
        var id = ++_nextRunId;
        Runs++;
        var limits = run.Limits;
        try
        {
            await SendAsync(new RunMessage(id, run.CacheKey, run.Code, run.ContextJson, limits, run.CaptureConsole), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            throw new RunnerNotStartedException();
        }

        using var watchdog = new CancellationTokenSource(limits.Timeout + KillGrace);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        var calls = new List<Task>();
        try
        {
            while (true)
            {
                var frame = await RunnerFrames.ReadAsync(_output, RunnerFrames.MaxFromRunnerBytes, linked.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    return await DiedAsync(limits).ConfigureAwait(false);
                }

                switch (RunnerMessage.FromFrame(frame))
                {
                    case HttpCallMessage call when call.Id == id:
                        calls.Add(RelayAsync(call, http, linked.Token));
                        break;
                    case DoneMessage { Exiting: true } done when done.Id == id:
                        await ExitedAsync().ConfigureAwait(false);
                        return RunnerRun.Died(ToOutcome(done, limits).Failure ?? RunnerFailures.Crashed(), ExitStatus());
                    case DoneMessage done when done.Id == id:
                        return RunnerRun.Completed(ToOutcome(done, limits));
                    default:
                        throw new RunnerProtocolException(RunnerProtocolException.Unexpected, "A message the silo did not expect.");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillByUs();
            return RunnerRun.Died(RunnerFailures.Killed(limits.Timeout));
        }
        catch (OperationCanceledException)
        {
            KillByUs();
            throw;
        }
        catch (RunnerProtocolException error)
        {
            KillByUs();
            return RunnerRun.Died(error.Reason == RunnerProtocolException.FrameTooLarge ? RunnerFailures.OutputTooLarge() : RunnerFailures.Crashed());
        }
        catch (IOException)
        {
            return await DiedAsync(limits).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
    }

    private async Task RelayAsync(HttpCallMessage call, GuardedBlockHttp http, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await http.SendAsync(call.Request, cancellationToken).ConfigureAwait(false);
            await SendAsync(new HttpReplyMessage(call.Id, call.Call, answer), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The run is over (budget, caller, or the runner died); the read loop reports why.
        }
    }

    private async Task SendAsync(RunnerMessage message, CancellationToken cancellationToken)
    {
        var frame = message.ToFrame();
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunnerFrames.WriteAsync(_input, frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    private static ScriptOutcome ToOutcome(DoneMessage done, SandboxOptions limits)
    {
        if (done.Failure is { } failure)
        {
            return new ScriptOutcome(null, failure.ToFailure(limits.MaxResultDepth), done.Console);
        }

        if (done.ResultJson is null)
        {
            return new ScriptOutcome(null, null, done.Console);
        }

        // The runner already bounded the result; the silo does not take its word for it.
        if (done.ResultJson.Length > limits.MaxResultCharacters + 64)
        {
            return new ScriptOutcome(null, RunnerFailures.OutputTooLarge(), done.Console);
        }

        var (result, resultFailure) = SandboxOutcome.FromResponseBody(done.ResultJson, limits.MaxResultDepth);
        return new ScriptOutcome(result, resultFailure, done.Console);
    }

    /// <summary>The channel closed mid-run: wait for the exit status and say why the runner ended.</summary>
    private async Task<RunnerRun> DiedAsync(SandboxOptions limits)
    {
        await ExitedAsync().ConfigureAwait(false);
        var stderr = Tail(_stderr);
        var exitCode = ExitStatus() ?? RunnerExitCodes.KilledSignal;
        return RunnerRun.Died(exitCode switch
        {
            RunnerExitCodes.MemoryExceeded => RunnerFailures.MemoryExceeded(),
            RunnerExitCodes.TimedOut => RunnerFailures.Killed(limits.Timeout),
            RunnerExitCodes.CpuLimitSignal => RunnerFailures.CpuExceeded(limits.Timeout),
            RunnerExitCodes.KilledSignal when _killedByUs => RunnerFailures.Killed(limits.Timeout),
            _ when stderr.Contains("OutOfMemory", StringComparison.Ordinal) || stderr.Contains("Out of memory", StringComparison.OrdinalIgnoreCase)
                => RunnerFailures.MemoryExceeded(),
            _ when stderr.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase)
                => SandboxOutcome.Limit(SandboxLimits.RecursionDepth, "The block exceeded the call stack; its runner process was replaced."),
            _ => RunnerFailures.Crashed(),
        }, exitCode);
    }

    private int? ExitStatus() => _process.HasExited ? _process.ExitCode : null;

    private async Task ExitedAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillByUs();
        }
    }

    private void KillByUs()
    {
        _killedByUs = true;
        Kill(_process);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
            if (buffer.Length > MaxStderrCharacters)
            {
                buffer.Remove(0, buffer.Length - MaxStderrCharacters);
            }
        }
    }

    // Only for classification and start-up errors: what a runtime prints when it aborts (never a block's console).
    private static string Tail(StringBuilder buffer)
    {
        lock (buffer)
        {
            var text = buffer.ToString().Trim();
            return text.Length > 300 ? text[^300..] : text;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _input.Dispose();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or InvalidOperationException)
        {
            Kill(_process);
        }

        _process.Dispose();
        _write.Dispose();
        DeleteTemp(_tempDirectory);
    }

    private static void DeleteTemp(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder left behind holds only what one block wrote, under a name nothing reuses.
        }
    }
}

/// <summary>
/// How a run on a runner ended: completed (with the block's own outcome), or with the runner gone; then
/// <see cref="ExitStatus"/> is what the process exited with, when known, for the operator's log.
/// </summary>
internal sealed record RunnerRun(ScriptOutcome Outcome, bool RunnerDied, int? ExitStatus = null)
{
    public static RunnerRun Completed(ScriptOutcome outcome) => new(outcome, false);

    public static RunnerRun Died(BlockFailure failure, int? exitStatus = null) => new(new ScriptOutcome(null, failure, []), true, exitStatus);
}

internal sealed class RunnerStartException(string message) : Exception(message);

internal sealed class RunnerNotStartedException() : Exception("The runner had exited before the run was handed to it.");
