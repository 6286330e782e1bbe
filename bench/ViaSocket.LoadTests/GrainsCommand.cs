using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>grains</c>: inside the service process, no HTTP on the hot path: <c>--levels</c> concurrent callers (comma-separated)
/// call <see cref="IConnectionGrain.GetCredentialsAsync"/> round-robin over the connections through
/// <see cref="IGrainFactory"/>, and the same for <see cref="IBaselineGrain"/>, alternating which goes first. Prints one
/// <see cref="Measurement"/> line per run and, unless <c>--no-report</c>, writes a markdown report. Options:
/// <c>--connections</c> 10, <c>--levels</c> 64,512, <c>--warmup</c> 2, <c>--duration</c> 5, <c>--service-warmup</c> 5.
/// </summary>
internal static class GrainsCommand
{
    public const string BaselineLabel = "baseline grain";
    public const string CredentialsLabel = "credentials grain";

    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var levels = args.Ints("levels", "64,512");
        var warmup = args.Seconds("warmup", 2);
        var duration = args.Seconds("duration", 5);
        var machineBefore = MachineDescription.Read();

        await using var service = await BenchService.StartAsync(args.Int("connections", 10), CancellationToken.None);
        var grains = service.App.Services.GetRequiredService<IGrainFactory>();
        var keys = service.ConnectionIds.Select(id => GrainKeys.Connection(BenchService.WorkspaceId, id)).ToArray();
        var connections = keys.Select(key => grains.GetGrain<IConnectionGrain>(key)).ToArray();
        var baselines = keys.Select(key => grains.GetGrain<IBaselineGrain>(key)).ToArray();
        await VerifyAsync(connections, baselines);

        var cpu = new CpuMeter(serverProcessId: null);

        // Past the JIT's tier-1 recompilation of both call paths before anything is measured; the result is dropped.
        await ClosedLoop.RunAsync(
            "warm-up", levels[0], args.Seconds("service-warmup", 5), TimeSpan.FromSeconds(1),
            worker => worker % 2 == 0 ? BaselineCall(baselines, worker) : CredentialsCall(connections, worker), cpu);

        var measurements = new List<Measurement>();
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            Func<Task<Measurement>> baseline = () => ClosedLoop.RunAsync(BaselineLabel, level, warmup, duration, worker => BaselineCall(baselines, worker), cpu);
            Func<Task<Measurement>> credentials = () => ClosedLoop.RunAsync(CredentialsLabel, level, warmup, duration, worker => CredentialsCall(connections, worker), cpu);
            foreach (var run in i % 2 == 0 ? [baseline, credentials] : new[] { credentials, baseline })
            {
                var measurement = await run();
                measurements.Add(measurement);
                Console.Out.WriteLine(Protocol.Line(Protocol.ResultPrefix, measurement));
            }
        }

        if (!args.Has("no-report"))
        {
            var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
            var path = report.Write(ResultsDirectory.Find(args), "grain-calls", "In-silo grain call throughput", report.GrainSection(measurements, service.ConnectionIds.Count));
            Console.Error.WriteLine($"Wrote {path}");
        }

        return 0;
    }

    /// <summary>Fails early when a connection cannot serve credentials or the baseline grain was not registered.</summary>
    private static async Task VerifyAsync(IConnectionGrain[] connections, IBaselineGrain[] baselines)
    {
        foreach (var connection in connections)
        {
            var result = await connection.GetCredentialsAsync();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"A bench connection does not serve credentials: {result.Error!.Code}.");
            }
        }

        foreach (var baseline in baselines)
        {
            await baseline.PingAsync();
        }
    }

    private static Operation BaselineCall(IBaselineGrain[] grains, int worker)
    {
        var next = worker;
        return async _ =>
        {
            await grains[next++ % grains.Length].PingAsync();
            return null;
        };
    }

    private static Operation CredentialsCall(IConnectionGrain[] grains, int worker)
    {
        var next = worker;
        return async _ =>
        {
            var result = await grains[next++ % grains.Length].GetCredentialsAsync();
            return result.Succeeded ? null : result.Error!.Code;
        };
    }
}
