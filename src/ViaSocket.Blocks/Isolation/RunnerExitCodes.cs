namespace ViaSocket.Blocks.Isolation;

/// <summary>How a runner ends itself; anything else (a signal, a runtime abort) is read from its exit status.</summary>
internal static class RunnerExitCodes
{
    /// <summary>The silo closed the channel.</summary>
    public const int Closed = 0;

    /// <summary>A run hit the heap ceiling; the process is not reused after an out-of-memory.</summary>
    public const int MemoryExceeded = 70;

    /// <summary>A run outlived its wall-clock budget and did not stop.</summary>
    public const int TimedOut = 71;

    /// <summary>The silo broke the protocol, or the runner could not confine itself.</summary>
    public const int Failed = 72;

    /// <summary>SIGXCPU: the kernel ended the process when the run's CPU budget (RLIMIT_CPU) was spent.</summary>
    public const int CpuLimitSignal = 128 + 24;

    /// <summary>SIGKILL: the silo's watchdog, or the kernel's OOM killer (a cgroup memory limit).</summary>
    public const int KilledSignal = 128 + 9;
}
