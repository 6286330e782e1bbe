using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>isolation</c>: the cost of running author JavaScript in runner processes. Two block runners in this process,
/// one with <see cref="ScriptIsolation.InProcess"/> (the baseline) and one with <see cref="ScriptIsolation.Process"/>
/// (default pool), run a compute block and a block doing one token exchange with a loopback endpoint, one run at a
/// time. After <c>--warmup-runs</c> (default 500) per mode and block, <c>--runs</c> (default 5000) per mode and block
/// are measured in <c>--rounds</c> (default 10) interleaved rounds whose mode order alternates, so machine noise
/// falls on both modes alike. Writes <c>bench/results/&lt;date&gt;-isolation.md</c>.
/// </summary>
internal static class IsolationCommand
{
    public const double P50OverheadGoalMs = 1;
    public const double P99OverheadGoalMs = 5;

    private const string ComputeCode = """
        const parts = context.scopes.split(' ');
        return { label: context.authData.email.toLowerCase(), scopes: parts, count: parts.length };
        """;

    private static readonly ScriptIsolation[] Modes = [ScriptIsolation.InProcess, ScriptIsolation.Process];

    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var warmupRuns = args.Int("warmup-runs", 500);
        var runs = args.Int("runs", 5000);
        var rounds = args.Int("rounds", 10);
        var machineBefore = MachineDescription.Read();

        await using var tokenEndpoint = await StartTokenEndpointAsync();
        var blocks = new[]
        {
            new BenchBlock("compute (no I/O)", "bench/compute", new ApiBlock { Code = ComputeCode }),
            new BenchBlock("one loopback token exchange", "bench/exchange", new ApiBlock { Code = ExchangeCode(TokenUrl(tokenEndpoint)) }),
        };
        var runners = Modes.ToDictionary(mode => mode, CreateRunner);
        try
        {
            foreach (var mode in Modes)
            {
                foreach (var block in blocks)
                {
                    await MeasureAsync(runners[mode].GetRequiredService<IBlockRunner>(), block, warmupRuns, new LatencySample());
                }
            }

            var samples = Modes.SelectMany(mode => blocks.Select(block => (mode, block))).ToDictionary(key => key, _ => new LatencySample());
            var errors = samples.Keys.ToDictionary(key => key, _ => new List<string>());
            var cpuMeter = new CpuMeter(null);
            var cpuStart = cpuMeter.Take();
            for (var round = 0; round < rounds; round++)
            {
                // A B, then B A: neither mode always runs right after the other's garbage.
                foreach (var mode in round % 2 == 0 ? Modes : Modes.Reverse())
                {
                    foreach (var block in blocks)
                    {
                        var roundRuns = (runs / rounds) + (round < runs % rounds ? 1 : 0);
                        errors[(mode, block)].AddRange(await MeasureAsync(runners[mode].GetRequiredService<IBlockRunner>(), block, roundRuns, samples[(mode, block)]));
                    }
                }

                Console.Out.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} isolation: round {round + 1} / {rounds}");
            }

            var machineCores = CpuMeter.Between(cpuStart, cpuMeter.Take()).MachineCores;
            var results = blocks.Select(block => new BlockComparison(
                block.Label,
                Latencies.Of(samples[(ScriptIsolation.InProcess, block)], errors[(ScriptIsolation.InProcess, block)]),
                Latencies.Of(samples[(ScriptIsolation.Process, block)], errors[(ScriptIsolation.Process, block)]))).ToList();
            var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
            var path = report.Write(ResultsDirectory.Find(args), "isolation", "JavaScript blocks in runner processes vs in process",
                Section(results, warmupRuns, runs, rounds, machineCores));
            Console.Out.WriteLine($"Wrote {path}");
            return results.All(r => r.Met) ? 0 : 1;
        }
        finally
        {
            foreach (var runner in runners.Values)
            {
                await runner.DisposeAsync();
            }
        }
    }

    /// <summary>Runs <paramref name="block"/> <paramref name="count"/> times back to back; returns the failures' codes.</summary>
    private static async Task<List<string>> MeasureAsync(IBlockRunner runner, BenchBlock block, int count, LatencySample sample)
    {
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await runner.RunAsync(new BlockRunRequest(block.CacheKey, block.Block, Context(), BlockUrlPolicy.AddressGuardOnly));
            var elapsed = Stopwatch.GetTimestamp() - started;
            if (result.Failure is { } failure)
            {
                failures.Add(failure.Code);
            }
            else
            {
                sample.Add(elapsed);
            }
        }

        return failures;
    }

    private static ServiceProvider CreateRunner(ScriptIsolation mode)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddBlockRunner();
        services.AddGuardedOutboundHttp(options => options.AllowedNetworks = ["127.0.0.1/32"]);
        services.Configure<BlockIsolationOptions>(options => options.Mode = mode);
        return services.BuildServiceProvider();
    }

    // A fresh context per run, as a connection's run gets: the runner may not keep or share it.
    private static JsonObject Context() => JsonNode.Parse("""
        {
          "clientId": "client-1",
          "clientSecret": "secret-1",
          "redirectUri": "https://app.example/oauth/callback",
          "codeVerifier": "verifier-abcdefghijklmnopqrstuvwxyz0123456789",
          "scopes": "read write admin",
          "authData": { "code": "auth-code-123", "email": "Jane@Example.com" }
        }
        """)!.AsObject();

    private static string ExchangeCode(string tokenUrl) => $$"""
        const body = new URLSearchParams({
          grant_type: 'authorization_code', code: context.authData.code, redirect_uri: context.redirectUri,
          client_id: context.clientId, client_secret: context.clientSecret, code_verifier: context.codeVerifier,
        });
        const response = await axios.post('{{tokenUrl}}', body);
        return response.data;
        """;

    private static async Task<WebApplication> StartTokenEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/token", () => Results.Json(new { access_token = "at-123", refresh_token = "rt-456", expires_in = 3600, token_type = "Bearer" }));
        await app.StartAsync();
        return app;
    }

    private static string TokenUrl(WebApplication app) =>
        new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()), "/token").ToString();

    private static string Section(IReadOnlyList<BlockComparison> results, int warmupRuns, int runs, int rounds, double machineCores)
    {
        var text = new StringBuilder();
        text.AppendLine("## Out-of-process overhead per JavaScript block run");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Goal: Process minus InProcess <= {P50OverheadGoalMs:0} ms at p50 and <= {P99OverheadGoalMs:0} ms at p99. One `IBlockRunner` per mode in this process (`AddBlockRunner`, `BlockIsolationOptions.Mode` set through DI, pool defaults: {new BlockIsolationOptions().ConnectionRunners} connection runners, a runner replaced after {new BlockIsolationOptions().MaxRunsPerRunner:N0} runs), one run at a time, a fresh context each run. {warmupRuns:N0} warm-up runs per mode and block, then {runs:N0} measured runs per mode and block in {rounds} interleaved rounds (mode order alternating). Latency is `RunAsync` from call to result. Machine CPU while measuring: {machineCores:0.00} of {Environment.ProcessorCount} cores.");
        text.AppendLine();
        text.AppendLine("| block | mode | runs ok | failures | p50 ms | p90 ms | p99 ms | max ms | mean ms |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Row(text, r.Block, "InProcess (baseline)", r.InProcess);
            Row(text, r.Block, "Process", r.Process);
        }

        text.AppendLine();
        text.AppendLine("| block | overhead p50 ms (goal <= 1) | overhead p99 ms (goal <= 5) | p50 ratio | |");
        text.AppendLine("|---|---:|---:|---:|:---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Block} | {r.P50Overhead:0.000} | {r.P99Overhead:0.000} | {r.Process.P50 / Math.Max(r.InProcess.P50, 1e-9):0.00}x | {(r.Met ? "met" : "missed")} |");
        }

        foreach (var (r, mode, latencies) in results.SelectMany(r => new[] { (r, "InProcess", r.InProcess), (r, "Process", r.Process) }).Where(x => x.Item3.FailureCodes.Count > 0))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Failures of {r.Block} in {mode}: {string.Join(", ", latencies.FailureCodes.Select(p => $"`{p.Key}` {p.Value:N0}"))}.");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string block, string mode, Latencies l) => text.AppendLine(CultureInfo.InvariantCulture,
        $"| {block} | {mode} | {l.Ok:N0} | {l.FailureCodes.Values.Sum():N0} | {l.P50:0.000} | {l.P90:0.000} | {l.P99:0.000} | {l.Max:0.000} | {l.Mean:0.000} |");

    private sealed record BenchBlock(string Label, string CacheKey, ApiBlock Block);

    private sealed record BlockComparison(string Block, Latencies InProcess, Latencies Process)
    {
        public double P50Overhead => Process.P50 - InProcess.P50;

        public double P99Overhead => Process.P99 - InProcess.P99;

        public bool Met => P50Overhead <= P50OverheadGoalMs && P99Overhead <= P99OverheadGoalMs && InProcess.FailureCodes.Count == 0 && Process.FailureCodes.Count == 0;
    }

    /// <summary>Percentiles of the successful runs in milliseconds, and the failures by error code.</summary>
    private sealed record Latencies(int Ok, double P50, double P90, double P99, double Max, double Mean, IReadOnlyDictionary<string, int> FailureCodes)
    {
        public static Latencies Of(LatencySample sample, IReadOnlyList<string> failures)
        {
            var sorted = LatencySample.MergeSorted([sample]);
            return new Latencies(
                sorted.Length,
                LatencySample.PercentileMilliseconds(sorted, 50),
                LatencySample.PercentileMilliseconds(sorted, 90),
                LatencySample.PercentileMilliseconds(sorted, 99),
                LatencySample.PercentileMilliseconds(sorted, 100),
                sorted.Length == 0 ? 0 : sorted.Average() * 1000.0 / Stopwatch.Frequency,
                failures.GroupBy(code => code).ToDictionary(g => g.Key, g => g.Count()));
        }
    }
}
