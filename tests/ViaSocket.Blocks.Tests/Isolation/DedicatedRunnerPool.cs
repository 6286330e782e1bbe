using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
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
    private static int s_keys;
    private readonly RunnerPool _pool = new(
        Options.Create(new BlockIsolationOptions { ConnectionRunners = 1, TestRunRunners = 1 }),
        NullLogger<RunnerPool>.Instance);

    /// <summary>Runs <paramref name="code"/> in the connections lane under the default limits changed by <paramref name="limits"/>.</summary>
    public async Task<BlockRunResult> RunAsync(string code, JsonObject? context = null, Action<SandboxOptions>? limits = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(_pool);
        services.AddSingleton<IScriptHost>(_pool);
        services.AddBlockRunner(limits);
        services.AddGuardedOutboundHttp(options => options.AllowedNetworks = ["127.0.0.1/32"]);
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<IBlockRunner>().RunAsync(new BlockRunRequest(
            $"isolation/{Interlocked.Increment(ref s_keys)}",
            new Domain.Definitions.ApiBlock { Code = code },
            context ?? new JsonObject(),
            BlockUrlPolicy.AddressGuardOnly));
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
