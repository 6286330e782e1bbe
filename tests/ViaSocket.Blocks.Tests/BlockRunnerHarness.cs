using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Blocks.Http;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// The real block runner from its DI registration, with loopback opened explicitly for the test server. JavaScript
/// runs in real runner processes, from one pool the whole test assembly shares (limits travel with each run, so
/// every harness's sandbox options apply; the guard and the URL policy stay per harness, in this process), unless a
/// test asks for a pool of its own, e.g. to time its lanes without other tests' runs in them, or brings one it keeps
/// across harnesses.
/// </summary>
internal sealed class BlockRunnerHarness : IDisposable
{
    private static int s_keys;
    private static readonly Lazy<RunnerPool> SharedPool = new(() => new RunnerPool(
        Microsoft.Extensions.Options.Options.Create(new BlockIsolationOptions()),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<RunnerPool>.Instance));

    private readonly ServiceProvider _services;
    private readonly RunnerPool? _ownPool;

    /// <param name="ownPool">Runners for this harness alone, disposed with it; null shares the assembly's pool.</param>
    /// <param name="pool">A pool the caller owns and keeps after this harness (ignored with <paramref name="ownPool"/>).</param>
    public BlockRunnerHarness(Action<SandboxOptions>? sandbox = null, Action<OutboundHttpOptions>? outbound = null, BlockIsolationOptions? ownPool = null, RunnerPool? pool = null)
    {
        _ownPool = ownPool is null
            ? null
            : new RunnerPool(Microsoft.Extensions.Options.Options.Create(ownPool), Microsoft.Extensions.Logging.Abstractions.NullLogger<RunnerPool>.Instance);
        pool = _ownPool ?? pool ?? SharedPool.Value;
        var services = new ServiceCollection();
        // Registered as instances, so no harness's container disposes the shared pool.
        services.AddSingleton(pool);
        services.AddSingleton<IScriptHost>(pool);
        services.AddBlockRunner(sandbox);
        services.AddGuardedOutboundHttp(outbound ?? (options => options.AllowedNetworks = ["127.0.0.1/32"]));
        _services = services.BuildServiceProvider();
    }

    public IBlockRunner Runner => _services.GetRequiredService<IBlockRunner>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="urls">The URL policy of the run; the address guard alone when null (these tests exercise the sandbox, not a version).</param>
    public Task<BlockRunResult> RunCodeAsync(string code, JsonObject? context = null, bool diagnostics = false, BlockUrlPolicy? urls = null)
        => Runner.RunAsync(new BlockRunRequest(
            $"test/{Interlocked.Increment(ref s_keys)}",
            new ApiBlock { Code = code },
            context ?? new JsonObject(),
            urls ?? BlockUrlPolicy.AddressGuardOnly,
            new BlockRunOptions { CaptureDiagnostics = diagnostics }));

    /// <param name="urls">The URL policy of the run; the address guard alone when null.</param>
    public Task<BlockRunResult> RunRequestAsync(RequestDefinition request, JsonObject? context = null, bool diagnostics = false, BlockUrlPolicy? urls = null)
        => Runner.RunAsync(new BlockRunRequest(
            $"test/{Interlocked.Increment(ref s_keys)}",
            new ApiBlock { Request = request },
            context ?? new JsonObject(),
            urls ?? BlockUrlPolicy.AddressGuardOnly,
            new BlockRunOptions { CaptureDiagnostics = diagnostics }));

    public void Dispose()
    {
        _services.Dispose();
        _ownPool?.Dispose();
    }
}
