using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>The failures a run gets from the runner pool rather than from its own code.</summary>
internal static class RunnerFailures
{
    public static BlockFailure MemoryExceeded() =>
        SandboxOutcome.Limit(SandboxLimits.Memory, "The block's runner process reached its heap ceiling and was replaced.");

    public static BlockFailure CpuExceeded(TimeSpan budget) => new(BlockFailureKind.Timeout, BlockErrorCodes.Timeout,
        $"The block used more than its {budget.TotalSeconds:0.###} s of CPU ({SandboxLimits.Timeout}); its runner process was ended by the kernel and replaced.");

    public static BlockFailure Killed(TimeSpan budget) => new(BlockFailureKind.Timeout, BlockErrorCodes.Timeout,
        $"The block ran longer than its {budget.TotalSeconds:0.###} s limit ({SandboxLimits.Timeout}) and did not stop; its runner process was ended and replaced.");

    public static BlockFailure OutputTooLarge() =>
        SandboxOutcome.Limit(SandboxLimits.ResultSize, "The block's runner sent more than a run may return.");

    public static BlockFailure Crashed() => new(BlockFailureKind.Runner, BlockErrorCodes.RunnerCrashed,
        "The block's runner process ended unexpectedly; it was replaced.");

    public static BlockFailure Busy(string scope) => new(BlockFailureKind.Runner, BlockErrorCodes.RunnerBusy,
        $"Too many block runs are waiting {scope}; try again shortly.");

    public static BlockFailure Unavailable() => new(BlockFailureKind.Runner, BlockErrorCodes.RunnerUnavailable,
        "No block runner process could be started.");
}
