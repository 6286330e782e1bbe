using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// A runner pool of its own with one connection runner, so consecutive runs share one runner process (unless a run
/// ended it): what a hostile block leaves behind is what the next block finds. Blocks reach loopback only.
/// </summary>
internal sealed class DedicatedRunnerPool : IAsyncDisposable
{
    private readonly RunnerPool _pool = new(
        Options.Create(new BlockIsolationOptions { ConnectionRunners = 1, TestRunRunners = 1 }),
        NullLogger<RunnerPool>.Instance);

    /// <summary>Runs <paramref name="code"/> in the connections lane under the default limits changed by <paramref name="limits"/>.</summary>
    public async Task<BlockRunResult> RunAsync(string code, JsonObject? context = null, Action<SandboxOptions>? limits = null)
    {
        using var harness = new BlockRunnerHarness(limits, pool: _pool);
        return await harness.RunCodeAsync(code, context);
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
