using System.ComponentModel.DataAnnotations;

namespace ViaSocket.Blocks.Isolation;

/// <summary>Where author JavaScript runs, and the runner pool's sizes and ceilings (section <c>ViaSocket:Blocks:Runners</c>).</summary>
public sealed class BlockIsolationOptions : IValidatableObject
{
    /// <summary>What a runner's writable memory needs beyond its heap: the runtime, JIT code and thread stacks.</summary>
    private const int RuntimeOverheadMegabytes = 256;

    public const string SectionName = "ViaSocket:Blocks:Runners";

    /// <summary>
    /// <see cref="ScriptIsolation.Process"/> runs blocks in runner processes. <see cref="ScriptIsolation.InProcess"/>
    /// runs them in the silo under the interpreter's limits only: for benchmarks' baselines and debugging.
    /// </summary>
    /// <value>The default value is <see cref="ScriptIsolation.Process"/>.</value>
    public ScriptIsolation Mode { get; set; } = ScriptIsolation.Process;

    /// <summary>Runner processes for connections' connect, refresh and revoke runs.</summary>
    /// <value>The default value is 2.</value>
    [Range(1, 64)]
    public int ConnectionRunners { get; set; } = 2;

    /// <summary>Runner processes for author test runs; they never run a connection's blocks.</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 64)]
    public int TestRunRunners { get; set; } = 1;

    /// <summary>The .NET heap ceiling of each runner (<c>GCHeapHardLimit</c>); a run that reaches it ends its runner.</summary>
    /// <value>The default value is 192 MiB.</value>
    [Range(64, 65_536)]
    public int HeapLimitMegabytes { get; set; } = 192;

    /// <summary>RLIMIT_DATA of each runner: the kernel's ceiling on its writable memory, the heap and the runtime's own.</summary>
    /// <value>The default value is 768 MiB.</value>
    [Range(256, 262_144)]
    public int DataLimitMegabytes { get; set; } = 768;

    /// <summary>Runs a lane holds waiting for a runner; past it, runs fail at once with <c>block.runner_busy</c>.</summary>
    /// <value>The default value is 512.</value>
    [Range(1, 1_000_000)]
    public int MaxQueuedRuns { get; set; } = 512;

    /// <summary>Test runs one workspace may have waiting; past it, its test runs fail with <c>block.runner_busy</c>.</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 10_000)]
    public int MaxQueuedTestRunsPerWorkspace { get; set; } = 4;

    /// <summary>Runs after which a runner is replaced by a fresh process (each runner up to a quarter more, at random).</summary>
    /// <value>The default value is 5,000.</value>
    [Range(1, 10_000_000)]
    public int MaxRunsPerRunner { get; set; } = 5000;

    /// <summary>How long a runner may take to start and report ready.</summary>
    /// <value>The default value is 20 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Start the runners with the host, so the first run finds them warm.</summary>
    /// <value>The default value is true.</value>
    public bool Prestart { get; set; } = true;

    /// <summary>The runner assembly; by default <c>ViaSocket.BlockRunner.dll</c> next to the application.</summary>
    public string? RunnerPath { get; set; }

    /// <summary>Where runners get their private temp folders; by default under the system temp folder.</summary>
    public string? TempDirectory { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataLimitMegabytes < HeapLimitMegabytes + RuntimeOverheadMegabytes)
        {
            yield return new ValidationResult(
                $"DataLimitMegabytes must be at least HeapLimitMegabytes + {RuntimeOverheadMegabytes}: below that the kernel stops a runner before its heap ceiling can.",
                [nameof(DataLimitMegabytes)]);
        }
    }
}

public enum ScriptIsolation
{
    Process,
    InProcess,
}
