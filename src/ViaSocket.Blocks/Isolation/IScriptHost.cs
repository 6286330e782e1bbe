using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>Where block JavaScript executes: a pool of runner processes (<see cref="RunnerPool"/>), or this process.</summary>
internal interface IScriptHost
{
    /// <summary>Runs <paramref name="run"/>; its requests go to <paramref name="http"/>. Never throws for the block's own failures.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<ScriptOutcome> RunAsync(ScriptRun run, ScriptPlacement placement, GuardedBlockHttp http, CancellationToken cancellationToken);
}

/// <summary>Which lane a run waits in, and for whom (round-robin key).</summary>
internal sealed record ScriptPlacement(BlockRunLane Lane, string? Tenant);

/// <summary>
/// Runs scripts in the silo's own process: only the interpreter's limits apply and the run shares the process that
/// holds every token. For development and as the benchmark baseline; production uses runner processes.
/// </summary>
internal sealed class InProcessScriptHost(PreparedScriptCache scripts, TimeProvider timeProvider) : IScriptHost
{
    public Task<ScriptOutcome> RunAsync(ScriptRun run, ScriptPlacement placement, GuardedBlockHttp http, CancellationToken cancellationToken)
        => SandboxRun.RunAsync(run, http, scripts, timeProvider, cancellationToken);
}
