using System.Globalization;

namespace ViaSocket.LoadTests;

/// <summary>The targets the HTTP runs compare.</summary>
internal static class LoadLabels
{
    public const string Hello = "hello";
    public const string Credentials = "credentials";

    /// <summary>P2: the DB-per-request endpoint (<see cref="BaselineCredentials"/>).</summary>
    public const string Baseline = "db-per-request";
}

/// <summary>
/// <c>run</c> (the default): starts <c>serve</c>, warms it (<c>--service-warmup</c> s, default 10), then runs one
/// <c>load</c> child per target and concurrency level, twice in mirrored order (<c>--levels</c>, default 16,64,256;
/// <c>--warmup</c> 3 s and <c>--duration</c> 10 s each); stops the service, runs <c>grains</c> (unless
/// <c>--skip-grains</c>; <c>--grain-levels</c> 64,512, <c>--grain-warmup</c> 2, <c>--grain-duration</c> 5,
/// <c>--grain-service-warmup</c> 5) and writes <c>bench/results/&lt;date&gt;-credentials-http.md</c>
/// (or into <c>--results-dir</c>). <c>--connections</c> (default 10) applies to both.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ChildGrace = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var connections = args.Int("connections", 10);
        var levels = args.Ints("levels", "16,64,256");
        var warmup = args.Seconds("warmup", 3);
        var duration = args.Seconds("duration", 10);
        var machineBefore = MachineDescription.Read();

        var withBaseline = !args.Has("skip-baseline");
        var http = await MeasureHttpAsync(connections, levels, warmup, duration, args.Seconds("service-warmup", 10), withBaseline);
        var sections = new List<string>();
        var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
        sections.Add(report.HttpSection(http, connections));
        if (withBaseline)
        {
            sections.Add(report.BaselineSection(http, connections));
        }

        if (!args.Has("skip-grains"))
        {
            var grains = await MeasureGrainsAsync(args, connections);
            sections.Add(report.GrainSection(grains, connections));
        }

        report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
        var path = report.Write(ResultsDirectory.Find(args), "credentials-http", "Credentials over HTTP and in-silo grain calls", [.. sections]);
        Console.Out.WriteLine($"Wrote {path}");
        return 0;
    }

    /// <summary>P1 (and P2 with <paramref name="withBaseline"/>): two closed-loop runs per target and level against one service, combined.</summary>
    public static async Task<IReadOnlyList<Measurement>> MeasureHttpAsync(
        int connections, int[] levels, TimeSpan warmup, TimeSpan duration, TimeSpan serviceWarmup, bool withBaseline)
    {
        await using var serve = ChildProcess.Start(["serve", "--connections", Text(connections)]);
        var ready = Protocol.Parse<ServeReady>(await serve.ReadLineAsync(Protocol.ReadyPrefix, StartupTimeout), Protocol.ReadyPrefix);
        Console.Out.WriteLine($"Service ready at {ready.BaseUrl} (pid {ready.ProcessId}) with {ready.ConnectionIds.Count} connections.");

        var credentialPaths = string.Join(',', ready.ConnectionIds.Select(id => $"/v1/connections/{id}/credentials"));
        var baselinePaths = string.Join(',', ready.ConnectionIds.Select(BaselineCredentials.PathFor));
        var all = new List<(string Label, string Paths)> { (LoadLabels.Hello, BenchService.HelloPath), (LoadLabels.Credentials, credentialPaths) };
        if (withBaseline)
        {
            all.Add((LoadLabels.Baseline, baselinePaths));
        }

        // The service keeps JIT-compiling (tiered PGO recompiles hot methods) for many seconds after it starts, more so
        // for the larger credential path; warming every target first keeps that cost out of every measured window.
        await LoadAsync(ready, LoadLabels.Credentials, string.Join(',', all.Select(t => t.Paths)), levels[0], serviceWarmup, TimeSpan.FromSeconds(1));

        var measurements = new List<Measurement>();
        for (var i = 0; i < levels.Length; i++)
        {
            // Each level runs its targets twice, the second time in the mirrored order (A B B A): a machine that speeds
            // up or slows down during the level then weighs on every target alike instead of on whichever ran last.
            var order = all.Skip(i % all.Count).Concat(all.Take(i % all.Count)).ToList();
            var runs = new Dictionary<string, Measurement>();
            foreach (var (label, paths) in order.Concat(Enumerable.Reverse(order)))
            {
                var run = await LoadAsync(ready, label, paths, levels[i], warmup, duration);
                Console.Out.WriteLine(
                    $"{label,-12} c={run.Concurrency,4}: {run.PerSecond,10:N0} req/s  p50 {run.P50Milliseconds:0.00} ms  p99 {run.P99Milliseconds:0.00} ms  errors {run.Errors}");
                runs[label] = runs.TryGetValue(label, out var first) ? first.CombinedWith(run) : run;
            }

            measurements.AddRange(order.Select(target => runs[target.Label]));
        }

        await serve.StopAsync(TimeSpan.FromSeconds(30));
        return measurements;
    }

    private static async Task<Measurement> LoadAsync(ServeReady ready, string label, string paths, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var environment = new Dictionary<string, string>
        {
            // The load generator stays lean: workstation GC, so the service keeps its own GC setting to itself.
            ["DOTNET_gcServer"] = "0",
        };
        if (label != LoadLabels.Hello)
        {
            environment[Protocol.ApiKeyVariable] = ready.ApiKey;
        }

        await using var load = ChildProcess.Start(
            [
                "load", "--base-url", ready.BaseUrl, "--paths", paths, "--label", label, "--concurrency", Text(concurrency),
                "--warmup", Text(warmup.TotalSeconds), "--duration", Text(duration.TotalSeconds), "--server-pid", Text(ready.ProcessId),
            ],
            environment);
        var lines = await load.ReadLinesToEndAsync(Protocol.ResultPrefix, warmup + duration + ChildGrace);
        return Protocol.Parse<Measurement>(lines.Single(), Protocol.ResultPrefix);
    }

    /// <summary>P3, in a <c>grains</c> child process.</summary>
    public static async Task<IReadOnlyList<Measurement>> MeasureGrainsAsync(CommandArguments args, int connections)
    {
        var levels = args.String("grain-levels", "64,512");
        var warmup = args.Seconds("grain-warmup", 2);
        var duration = args.Seconds("grain-duration", 5);
        await using var grains = ChildProcess.Start(
            [
                "grains", "--no-report", "--connections", Text(connections), "--levels", levels, "--warmup", Text(warmup.TotalSeconds),
                "--duration", Text(duration.TotalSeconds), "--service-warmup", Text(args.Seconds("grain-service-warmup", 5).TotalSeconds),
            ]);
        var runs = levels.Split(',').Length * 2;
        var lines = await grains.ReadLinesToEndAsync(Protocol.ResultPrefix, StartupTimeout + ((warmup + duration) * runs) + ChildGrace);
        var measurements = lines.Select(line => Protocol.Parse<Measurement>(line, Protocol.ResultPrefix)).ToList();
        foreach (var m in measurements)
        {
            Console.Out.WriteLine($"{m.Label,-18} c={m.Concurrency,4}: {m.PerSecond,10:N0} calls/s  p50 {m.P50Milliseconds:0.000} ms  p99 {m.P99Milliseconds:0.000} ms  errors {m.Errors}");
        }

        return measurements;
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
