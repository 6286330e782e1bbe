using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>hostile</c>: credential reads while one workspace floods test runs of hostile drafts (<see cref="HostileCorpus"/>).
/// The full service on 127.0.0.1 with <c>--connections</c> (default 10) connections and
/// <c>ViaSocket:Blocks:Runners:Mode</c> = <c>--mode</c> (default Process). <c>--readers</c> (4) HTTP readers read
/// credentials of random connections at <c>--read-rate</c> reads/s in all (200), in <c>--rounds</c> (2) pairs of
/// windows of <c>--window</c> s (15): a baseline window, then a window while <c>--flooders</c> (6) closed loops post
/// test runs of the corpus, then <c>--settle</c> s (12, beyond the block timeout) unmeasured so the flood's last runs
/// end. Reports read p50/p99 per kind of window and their ratio, test-run outcomes by error code, and the resident
/// memory of the silo and its runners. Writes <c>bench/results/&lt;date&gt;-isolation-hostile.md</c>.
/// </summary>
internal static class HostileCommand
{
    public const double P99RatioGoal = 1.5;
    public const string ModeKey = BlockIsolationOptions.SectionName + ":Mode";
    private static readonly TimeSpan ReaderWarmup = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var mode = args.String("mode", nameof(ScriptIsolation.Process));
        var window = args.Seconds("window", 15);
        var rounds = args.Int("rounds", 2);
        var settle = args.Seconds("settle", 12);
        var flooders = args.Int("flooders", 6);
        var readers = args.Int("readers", 4);
        var readPeriod = TimeSpan.FromSeconds((double)readers / Math.Max(args.Int("read-rate", 200), 1));
        var machineBefore = MachineDescription.Read();
        var time = TimeProvider.System;

        await using var service = await BenchService.StartAsync(args.Int("connections", 10), CancellationToken.None, new Dictionary<string, string?> { [ModeKey] = mode });
        var effectiveMode = service.App.Services.GetService<IOptions<BlockIsolationOptions>>()?.Value.Mode.ToString() ?? "unknown (no options in the container)";
        var corpus = new HostileCorpus(new BenchConnections(service.BaseAddress, service.ApiKey, service.Provider));
        await corpus.SaveDraftsAsync(CancellationToken.None);
        Progress($"service ready; runner mode requested {mode}, in the silo's options {effectiveMode}");

        await using var rss = new RssSampler();
        using (var warmup = new CredentialSampler(service, service.ConnectionIds, time))
        {
            await ReadAsync(warmup, readers, readPeriod, ReaderWarmup);
        }

        using var baseline = new CredentialSampler(service, service.ConnectionIds, time);
        using var flooded = new CredentialSampler(service, service.ConnectionIds, time);
        RssReading? beforeFlood = null;
        for (var round = 0; round < rounds; round++)
        {
            rss.Enter("baseline");
            await ReadAsync(baseline, readers, readPeriod, window);
            beforeFlood ??= rss.Now();

            rss.Enter("flood");
            using (var stopFlood = new CancellationTokenSource())
            {
                var flood = corpus.FloodAsync(flooders, stopFlood.Token);
                await ReadAsync(flooded, readers, readPeriod, window);
                await stopFlood.CancelAsync();
                await flood;
            }

            rss.Enter("settle");
            await Task.Delay(settle);
            Progress($"round {round + 1} / {rounds}: {corpus.Outcomes.Values.Sum():N0} test runs so far");
        }

        var afterFlood = rss.Now();
        var result = new HostileResult(mode, effectiveMode, flooders, window.TotalSeconds, rounds, baseline.Result(readers), flooded.Result(readers),
            corpus.Outcomes, beforeFlood!, afterFlood, rss.Peaks);
        var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
        var path = report.Write(ResultsDirectory.Find(args), "isolation-hostile", "Credential reads during a hostile test-run flood", Section(result));
        Console.Out.WriteLine($"Wrote {path}");
        return result.Met ? 0 : 1;
    }

    private static async Task ReadAsync(CredentialSampler sampler, int readers, TimeSpan period, TimeSpan window)
    {
        using var stop = new CancellationTokenSource(window);
        await Task.WhenAll(Enumerable.Range(0, readers).Select(_ => sampler.RunAsync(period, stop.Token)));
    }

    private static string Section(HostileResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("## Credential reads: baseline vs during the flood");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Goal: read p99 during the flood <= {P99RatioGoal:0.0}x the baseline's. Runner mode requested `{ModeKey}` = {r.RequestedMode}; the silo's `BlockIsolationOptions.Mode` = {r.EffectiveMode}. {r.Baseline.Readers} HTTP readers (`GET /v1/connections/{{id}}/credentials`, random connection, paced), {r.Rounds} rounds of a {r.WindowSeconds:0} s baseline window then a {r.WindowSeconds:0} s flood window, an unmeasured settle after each flood; the figures pool each kind of window. The flood: {r.Flooders} closed loops in workspace `{BenchService.WorkspaceId}` (the readers' workspace) posting `POST /v1/plugins/{HostileCorpus.PluginId}/auth-versions/{{attack}}/test-runs` with `block: testMe`, the attacks in turn.");
        text.AppendLine();
        text.AppendLine("| window | reads ok | errors | stale (expired / refused by provider) | min / p1 / p50 / p99 / max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        Reads(text, "baseline", r.Baseline);
        Reads(text, "during the flood", r.Flooded);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| p99 ratio flood / baseline | p50 ratio | goal |{Environment.NewLine}|---:|---:|:---:|{Environment.NewLine}| {r.P99Ratio:0.00}x | {r.Flooded.AnswerSeconds.P50 / Math.Max(r.Baseline.AnswerSeconds.P50, 1e-9):0.00}x | {(r.Met ? "met" : "missed")} |");
        foreach (var (name, reads) in new[] { ("baseline", r.Baseline), ("flood", r.Flooded) }.Where(x => x.Item2.FirstError is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"First reader error ({name}): `{reads.FirstError}`.");
        }

        text.AppendLine();
        text.AppendLine("## Test-run outcomes by attack and error code");
        text.AppendLine();
        var codes = r.Outcomes.Keys.Select(k => k.Outcome).Distinct().Order(StringComparer.Ordinal).ToList();
        text.AppendLine("| attack | code | " + string.Join(" | ", codes) + " | total |");
        text.AppendLine("|---|---|" + string.Concat(codes.Select(_ => "---:|")) + "---:|");
        foreach (var (attack, code) in HostileCorpus.Blocks)
        {
            var counts = codes.Select(c => r.Outcomes.GetValueOrDefault((attack, c))).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {attack} | `{code}` | {string.Join(" | ", counts.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))} | {counts.Sum():N0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{r.Outcomes.Values.Sum():N0} test runs answered in {r.Rounds * r.WindowSeconds:0} s of flood; runs still in flight when a window closed are not counted.");
        text.AppendLine();
        text.AppendLine("## Resident memory (VmRSS)");
        text.AppendLine();
        text.AppendLine("The silo is this process (silo, front-end, loopback provider, readers); runners are its `ViaSocket.BlockRunner` children. Sampled every 200 ms.");
        text.AppendLine();
        text.AppendLine("| | silo | runners (sum) | runner processes |");
        text.AppendLine("|---|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| before the first flood | {Mib(r.BeforeFlood.SiloBytes)} | {Mib(r.BeforeFlood.RunnersBytes)} | {r.BeforeFlood.Runners} |");
        foreach (var (phase, peak) in r.Peaks.Where(p => p.Key != "start").OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| peak in {phase} windows | {Mib(peak.SiloBytes)} | {Mib(peak.RunnersBytes)} | {peak.Runners} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| after the last settle | {Mib(r.AfterFlood.SiloBytes)} | {Mib(r.AfterFlood.RunnersBytes)} | {r.AfterFlood.Runners} |");
        return text.ToString();
    }

    private static void Reads(StringBuilder text, string name, ReaderResult r) => text.AppendLine(CultureInfo.InvariantCulture,
        $"| {name} | {r.Ok:N0} | {r.Errors:N0} | {r.ExpiredAtRequest:N0} / {r.RejectedByProvider:N0} | {r.AnswerSeconds.Min * 1000:0.00} / {r.AnswerSeconds.P1 * 1000:0.00} / {r.AnswerSeconds.P50 * 1000:0.00} / {r.AnswerSeconds.P99 * 1000:0.00} / {r.AnswerSeconds.Max * 1000:0.00} |");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB");

    private static void Progress(string line) => Console.Out.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} hostile: {line}");

    private sealed record HostileResult(
        string RequestedMode,
        string EffectiveMode,
        int Flooders,
        double WindowSeconds,
        int Rounds,
        ReaderResult Baseline,
        ReaderResult Flooded,
        IReadOnlyDictionary<(string Attack, string Outcome), int> Outcomes,
        RssReading BeforeFlood,
        RssReading AfterFlood,
        IReadOnlyDictionary<string, RssPeak> Peaks)
    {
        public double P99Ratio => Flooded.AnswerSeconds.P99 / Math.Max(Baseline.AnswerSeconds.P99, 1e-9);

        public bool Met => P99Ratio <= P99RatioGoal && Baseline.Errors == 0 && Flooded.Errors == 0;
    }
}
