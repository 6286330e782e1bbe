using ViaSocket.Testing.Processes;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>A runner starts from an empty environment: none of the silo's keys or connection strings reach it.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class RunnerEnvironmentTests
{
    [Fact]
    public async Task A_runner_process_carries_none_of_the_silo_environment()
    {
        var secrets = new Dictionary<string, string>
        {
            ["ViaSocket__Encryption__MasterKey"] = $"master-key-{Guid.NewGuid():N}",
            ["ConnectionStrings__Postgres"] = $"Host=db;Password=pg-{Guid.NewGuid():N}",
            ["ViaSocket__Oauth__ClientSecret"] = $"client-secret-{Guid.NewGuid():N}",
        };
        var earlier = RunnerChildren();
        foreach (var (name, value) in secrets)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            await using var pool = new DedicatedRunnerPool();
            var result = await pool.RunAsync("return 1;");
            Assert.True(result.Succeeded, result.Failure?.Message);

            var runners = RunnerChildren().Except(earlier).ToList();
            Assert.NotEmpty(runners);
            foreach (var pid in runners)
            {
                var environment = File.ReadAllText($"/proc/{pid}/environ");
                // Proves the read saw the runner's real environment.
                Assert.Contains("DOTNET_EnableDiagnostics=0", environment, StringComparison.Ordinal);
                foreach (var (name, value) in secrets)
                {
                    // Booleans, not the text: a failure must not print the environment (it could hold real secrets).
                    Assert.False(environment.Contains(name, StringComparison.OrdinalIgnoreCase), $"runner {pid} has {name} in its environment");
                    Assert.False(environment.Contains(value, StringComparison.Ordinal), $"runner {pid} has the value of {name} in its environment");
                }
            }
        }
        finally
        {
            foreach (var name in secrets.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    /// <summary>Children of this process running the runner assembly.</summary>
    private static HashSet<int> RunnerChildren() =>
        [.. ProcessTable.ChildrenWithCommandLineContaining(Environment.ProcessId, ViaSocket.Blocks.Isolation.RunnerLaunch.RunnerAssembly)];
}
