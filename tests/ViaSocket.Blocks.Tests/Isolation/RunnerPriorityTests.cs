using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Domain.Definitions;
using ViaSocket.Testing.Processes;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// Linux schedules threads: a test-run runner is idle only if every thread of it is, including those the runtime
/// and the thread pool started, while connection runners keep the silo's priority.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RunnerPriorityTests : IDisposable
{
    private const int SchedIdle = 5;
    private readonly string _temp = Directory.CreateTempSubdirectory("viasocket-priority-").FullName;

    [Fact]
    public async Task Every_thread_of_a_test_run_runner_is_idle_and_no_thread_of_a_connection_runner_is()
    {
        await using (var pool = new RunnerPool(
            Options.Create(new BlockIsolationOptions { ConnectionRunners = 1, TestRunRunners = 1, TempDirectory = _temp }),
            NullLogger<RunnerPool>.Instance))
        {
            using var harness = new BlockRunnerHarness(pool: pool);
            foreach (var lane in new[] { BlockRunLane.Connections, BlockRunLane.TestRuns })
            {
                // A run with an await, so the runner's thread pool has started the threads a block runs on.
                var result = await harness.Runner.RunAsync(new BlockRunRequest($"priority/{lane}", new ApiBlock { Code = "await Promise.resolve(1); return { ok: true };" }, new JsonObject(), BlockUrlPolicy.AddressGuardOnly) { Lane = lane });
                Assert.True(result.Succeeded, result.Failure?.Message);
            }

            var runners = ProcessTable.ChildrenWithCommandLineContaining(Environment.ProcessId, _temp).Select(Threads).ToList();

            Assert.Equal(2, runners.Count);
            Assert.Single(runners, threads => threads.All(t => t is { Policy: SchedIdle, Nice: 19 }));
            Assert.Single(runners, threads => threads.All(t => t.Policy != SchedIdle));
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>Policy (field 41) and nice (field 19) of each thread, from <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/stat</c>.</summary>
    private static List<(int Policy, int Nice)> Threads(int pid)
    {
        var threads = new List<(int Policy, int Nice)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: field 3 is index 0.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            threads.Add((int.Parse(fields[41 - 3], CultureInfo.InvariantCulture), int.Parse(fields[19 - 3], CultureInfo.InvariantCulture)));
        }

        return threads;
    }
}
