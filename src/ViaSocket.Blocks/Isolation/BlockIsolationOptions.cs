namespace ViaSocket.Blocks.Isolation;

/// <summary>Where author JavaScript runs, and the runner pool's sizes and ceilings (section <c>ViaSocket:Blocks:Runners</c>).</summary>
public sealed class BlockIsolationOptions
{
    public const string SectionName = "ViaSocket:Blocks:Runners";

    /// <summary>
    /// <see cref="ScriptIsolation.Process"/> runs blocks in runner processes. <see cref="ScriptIsolation.InProcess"/>
    /// runs them in the silo under the interpreter's limits only: for benchmarks' baselines and debugging.
    /// </summary>
    /// <value>The default value is <see cref="ScriptIsolation.Process"/>.</value>
    public ScriptIsolation Mode { get; set; } = ScriptIsolation.Process;

    /// <summary>Runner processes for connections' connect, refresh and revoke runs.</summary>
    /// <value>The default value is 2.</value>
    public int ConnectionRunners { get; set; } = 2;

    /// <summary>Runner processes for author test runs; they never run a connection's blocks.</summary>
    /// <value>The default value is 1.</value>
    public int TestRunRunners { get; set; } = 1;

    /// <summary>The .NET heap ceiling of each runner (<c>GCHeapHardLimit</c>); a run that reaches it ends its runner.</summary>
    /// <value>The default value is 192 MiB.</value>
    public int HeapLimitMegabytes { get; set; } = 192;

    /// <summary>RLIMIT_DATA of each runner: the kernel's ceiling on its writable memory, the heap and the runtime's own.</summary>
    /// <value>The default value is 768 MiB.</value>
    public int DataLimitMegabytes { get; set; } = 768;

    /// <summary>Runs a lane holds waiting for a runner; past it, runs fail at once with <c>block.runner_busy</c>.</summary>
    /// <value>The default value is 512.</value>
    public int MaxQueuedRuns { get; set; } = 512;

    /// <summary>Test runs one workspace may have waiting; past it, its test runs fail with <c>block.runner_busy</c>.</summary>
    /// <value>The default value is 4.</value>
    public int MaxQueuedTestRunsPerWorkspace { get; set; } = 4;

    /// <summary>Runs after which a runner is replaced by a fresh process.</summary>
    /// <value>The default value is 5,000.</value>
    public int MaxRunsPerRunner { get; set; } = 5000;

    /// <summary>How long a runner may take to start and report ready.</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Start the runners with the host, so the first run finds them warm.</summary>
    /// <value>The default value is true.</value>
    public bool Prestart { get; set; } = true;

    /// <summary>The runner assembly; by default <c>ViaSocket.BlockRunner.dll</c> next to the application.</summary>
    public string? RunnerPath { get; set; }

    /// <summary>Where runners get their private temp folders; by default under the system temp folder.</summary>
    public string? TempDirectory { get; set; }
}

public enum ScriptIsolation
{
    Process,
    InProcess,
}
