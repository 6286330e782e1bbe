using System.Globalization;
using System.Text;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>suite</c>: the whole benchmark in one command. P1 and P2 (credentials over HTTP vs hello-world and vs the
/// DB-per-request baseline, one service, <c>run</c>'s options), P3 (in-silo grain calls, <c>--skip-grains</c>), then
/// P4 and P5 in a <c>storm</c> child (<c>--skip-storm</c>; its options pass through, e.g. <c>--storm-connections 2000
/// --memory-levels 1000,2000</c>). Writes <c>bench/results/&lt;date&gt;-suite.md</c> with a headline table (goal vs
/// measured per row) and PNG plots next to it (<c>--results-dir</c> to write elsewhere).
/// </summary>
internal static class SuiteCommand
{
    private const string Name = "suite";

    // Options of the storm child that the suite passes on when given.
    private static readonly string[] StormOptions =
    [
        "storm-connections", "storm-spread", "refresh-margin", "refresh-concurrency", "storm-readers", "storm-read-rate", "seed-parallelism",
        "probe-connections", "memory-levels",
    ];

    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var machineBefore = MachineDescription.Read();
        var connections = args.Int("connections", 10);
        var directory = ResultsDirectory.Find(args);
        var stamp = TimeProvider.System.GetLocalNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(directory);
        string Png(string what) => $"{stamp}-{Name}-{what}.png";

        IReadOnlyList<Measurement> http = [];
        if (!args.Has("skip-http"))
        {
            http = await RunCommand.MeasureHttpAsync(
                connections, args.Ints("levels", "16,64,256"), args.Seconds("warmup", 3), args.Seconds("duration", 10), args.Seconds("service-warmup", 10), withBaseline: true);
            Plots.Http(http, Path.Combine(directory, Png("http")));
        }

        IReadOnlyList<Measurement> grains = args.Has("skip-grains") ? [] : await RunCommand.MeasureGrainsAsync(args, connections);

        StormResult? storm = null;
        if (!args.Has("skip-storm"))
        {
            storm = await RunStormAsync(args);
            Plots.RefreshLag(storm.Storm, Path.Combine(directory, Png("refresh-lag")));
            Plots.RefreshRate(storm.Storm, Path.Combine(directory, Png("refresh-rate")));
            Plots.Memory(storm.Memory, Path.Combine(directory, Png("memory")));
        }

        var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
        var sections = new List<string> { Headline(http, grains, storm) };
        if (http.Count > 0)
        {
            sections.Add(report.HttpSection(http, connections));
            sections.Add(report.BaselineSection(http, connections) + Environment.NewLine + Image("req/s per concurrency", Png("http")));
        }

        if (grains.Count > 0)
        {
            sections.Add(report.GrainSection(grains, connections));
        }

        if (storm is not null)
        {
            sections.Add(StormReport.StormSection(storm) + Environment.NewLine + Image("refresh lag", Png("refresh-lag")) + Environment.NewLine + Image("refreshes per second", Png("refresh-rate")));
            sections.Add(StormReport.MemorySection(storm) + Environment.NewLine + Image("bytes per connection", Png("memory")));
        }

        var path = report.Write(directory, Name, "Benchmark suite: P1-P5", [.. sections]);
        Console.Out.WriteLine($"Wrote {path}");
        return 0;
    }

    /// <summary>Runs <c>storm</c> in a child with the suite's storm options and <paramref name="extra"/>; returns its result.</summary>
    public static async Task<StormResult> RunStormAsync(CommandArguments args, params string[] extra)
    {
        var arguments = new List<string> { "storm" };
        arguments.AddRange(extra);
        foreach (var option in StormOptions.Where(args.Has))
        {
            arguments.Add("--" + option);
            arguments.Add(args.Required(option));
        }

        // Seeding 100k connections takes minutes on a small machine; the child reports its own progress.
        await using var child = ChildProcess.Start(arguments, echo: true);
        var lines = await child.ReadLinesToEndAsync(Protocol.ResultPrefix, TimeSpan.FromHours(3));
        return Protocol.Parse<StormResult>(lines.Single(), Protocol.ResultPrefix);
    }

    private static string Headline(IReadOnlyList<Measurement> http, IReadOnlyList<Measurement> grains, StormResult? storm)
    {
        var rows = new List<(string Measure, string Goal, string Measured, bool? Met)>();
        if (BenchReport.WorstRatio(http, LoadLabels.Hello, LoadLabels.Credentials) is { } p1)
        {
            rows.Add(("P1 credentials / hello-world req/s (worst level)", $">= {BenchReport.HttpRatioGoal:0.00}x", $"{p1:0.00}x", p1 >= BenchReport.HttpRatioGoal));
        }

        if (BenchReport.WorstRatio(http, LoadLabels.Baseline, LoadLabels.Credentials) is { } p2)
        {
            rows.Add(("P2 credentials / DB-per-request req/s (worst level)", $">= {BenchReport.BaselineRatioGoal:0}x", $"{p2:0.0}x", p2 >= BenchReport.BaselineRatioGoal));
        }

        if (grains.Where(m => m.Label == GrainsCommand.CredentialsLabel).Select(m => m.PerSecond).DefaultIfEmpty(-1).Max() is var p3 and >= 0)
        {
            rows.Add(("P3 in-silo credential grain calls/s (best level)", $">= {BenchReport.GrainCallsGoal:N0}", $"{p3:N0}", p3 >= BenchReport.GrainCallsGoal));
        }

        if (storm is not null)
        {
            var s = storm.Storm;
            rows.Add(($"P4 refreshes/s ({storm.Connections:N0} due within {storm.DueWindowSeconds:0} s)", $">= {BenchReport.RefreshesPerSecondGoal:N0}", $"{s.RefreshesPerSecond:N0}", s.RefreshesPerSecond >= BenchReport.RefreshesPerSecondGoal));
            rows.Add(("P4 credentials served after expiry", "0", $"{storm.Readers.ServedAfterExpiry:N0} of {storm.Readers.Ok + storm.Readers.ServedAfterExpiry:N0} reads", storm.Readers.ServedAfterExpiry == 0));
            rows.Add(("P4 refreshed after expiry (lag < 0)", "0", $"{s.RefreshedAfterExpiry:N0}", s.RefreshedAfterExpiry == 0));
            rows.Add(("P4 connections not refreshed / not active after the storm", "0", $"{s.NotRefreshed:N0} / {storm.Connections - s.Statuses.GetValueOrDefault("active"):N0}", s.NotRefreshed == 0 && s.Statuses.GetValueOrDefault("active") == storm.Connections));
            rows.Add(("P4 refresh lag before expiry, min / p50", "> 0 s", $"{s.LagSeconds.Min:0.0} / {s.LagSeconds.P50:0.0} s", s.LagSeconds.Min > 0));
            rows.Add(("P4 provider peak concurrent token requests", $"<= {storm.RefreshConcurrencyLimit} (per-version limit, 1 silo)", $"{storm.PeakProviderConcurrency}", storm.PeakProviderConcurrency <= storm.RefreshConcurrencyLimit));
            foreach (var level in storm.Memory.Levels)
            {
                rows.Add(($"P5 bytes per active idle connection at {level.Active:N0}: managed / RSS", $"<= {BenchReport.BytesPerConnectionGoal:N0}",
                    $"{level.ManagedPerConnection:N0} / {level.RssPerConnection:N0}", level.ManagedPerConnection <= BenchReport.BytesPerConnectionGoal && level.RssPerConnection <= BenchReport.BytesPerConnectionGoal));
            }

            var floor = storm.Memory.Baseline;
            rows.Add(($"P5 baseline: bytes per empty Orleans activation at {floor.Active:N0} (same run): managed / RSS", "", $"{floor.ManagedPerConnection:N0} / {floor.RssPerConnection:N0}", null));
        }

        var text = new StringBuilder();
        text.AppendLine("## Headline");
        text.AppendLine();
        text.AppendLine("| measure | goal | measured | |");
        text.AppendLine("|---|---|---:|:---:|");
        foreach (var (measure, goal, measured, met) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {goal} | {measured} | {(met switch { true => "met", false => "missed", null => "" })} |");
        }

        return text.ToString();
    }

    private static string Image(string alt, string file) => $"![{alt}]({file}){Environment.NewLine}";
}
