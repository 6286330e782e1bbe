using System.Text.Json.Nodes;
using Jint;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>One JavaScript block run as the sandbox sees it: only what that one block needs.</summary>
/// <param name="CacheKey">Identifies the block's source for the prepared-script cache.</param>
/// <param name="ContextJson">The <c>context</c> of the run's own connection, as JSON text.</param>
/// <param name="Limits">The sandbox limits of the run.</param>
/// <param name="CaptureConsole">Keep console lines (author test runs).</param>
internal sealed record ScriptRun(string CacheKey, string Code, string ContextJson, SandboxOptions Limits, bool CaptureConsole);

/// <summary>What a script run produced: a result or a classified failure, and the console lines it kept.</summary>
internal sealed record ScriptOutcome(JsonNode? Result, BlockFailure? Failure, IReadOnlyList<ConsoleEntry> Console);

/// <summary>
/// Runs a block's code in a fresh sandbox engine, with the time budget over awaits included. The same code runs in
/// the silo (in-process isolation) and in a runner process; requests leave through <see cref="IBlockHttpChannel"/>.
/// </summary>
internal static class SandboxRun
{
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ScriptOutcome> RunAsync(ScriptRun run, IBlockHttpChannel http, PreparedScriptCache scripts, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var limits = run.Limits;
        var diagnostics = new RunDiagnostics(run.CaptureConsole, limits.MaxConsoleLines, limits.MaxConsoleCharacters);
        ScriptOutcome Finish(JsonNode? result, BlockFailure? failure) => new(result, failure, diagnostics.Console);

        Prepared<Acornima.Ast.Script> script;
        try
        {
            script = scripts.GetOrPrepare(run.CacheKey, run.Code, SandboxEngine.PrepareBlock);
        }
        catch (Exception error) when (error is ScriptPreparationException or RefusedSyntaxException)
        {
            return Finish(null, SandboxOutcome.FromException(error, limits.Timeout));
        }

        using var timeout = new CancellationTokenSource(limits.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var bridge = new SandboxBridge(http, diagnostics, limits.MaxOutboundCalls, linked.Token);
        try
        {
            using var engine = new SandboxEngine(limits, bridge, limits.Timeout, cancellationToken);
            var envelope = await engine.RunAsync(script, run.ContextJson, linked.Token).ConfigureAwait(false);
            var (result, failure) = SandboxOutcome.FromEnvelope(envelope, limits, timeProvider);
            // A request cut short by the run's budget fails inside the script; the budget is the cause.
            return Finish(result, failure is not null && timeout.IsCancellationRequested ? TimedOut(limits) : failure);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The budget ran out while the script was awaiting; depending on where the engine noticed, that
            // surfaces as a cancellation, a deadline error or a rejected promise.
            return Finish(null, TimedOut(limits));
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && SandboxOutcome.FromException(error, limits.Timeout) is { } failure)
        {
            return Finish(null, failure);
        }
    }

    private static BlockFailure TimedOut(SandboxOptions limits) => SandboxOutcome.FromException(new TimeoutException(), limits.Timeout)!;
}
