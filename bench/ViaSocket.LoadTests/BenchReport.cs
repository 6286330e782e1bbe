using System.Globalization;
using System.Text;

namespace ViaSocket.LoadTests;

/// <summary>The markdown written to <c>bench/results/&lt;date&gt;-&lt;name&gt;.md</c>.</summary>
internal sealed class BenchReport(string commandLine, MachineDescription before, MachineDescription after)
{
    /// <summary>The issue's goal: credentials over HTTP at no less than this share of hello-world throughput.</summary>
    public const double HttpRatioGoal = 0.85;

    /// <summary>The issue's goal for in-silo credential grain calls per second on 2 cores.</summary>
    public const double GrainCallsGoal = 300_000;

    /// <summary>The issue's goal: credentials over HTTP at least this many times the DB-per-request baseline's req/s.</summary>
    public const double BaselineRatioGoal = 10;

    /// <summary>The issue's goal for the refresh storm's throughput.</summary>
    public const double RefreshesPerSecondGoal = 2_000;

    /// <summary>The issue's goal for memory per active idle connection (3 KB).</summary>
    public const double BytesPerConnectionGoal = 3 * 1024;

    public string HttpSection(IReadOnlyList<Measurement> measurements, int connections)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Credentials over HTTP vs hello-world ({connections} connections, round-robin)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Goal: credentials >= {HttpRatioGoal:0.00}x hello-world req/s. Each cell: two closed-loop runs after warm-up, {Seconds(measurements)} s in all, the targets' order mirrored in the second (A B B A); req/s over both runs, p50 / p99 the worse run's. Load generator in its own process.");
        text.AppendLine();
        text.AppendLine("| concurrency | hello req/s | credentials req/s | ratio | goal | hello p50 / p99 ms | credentials p50 / p99 ms | errors hello / credentials |");
        text.AppendLine("|---:|---:|---:|---:|:---:|---:|---:|---:|");
        foreach (var (level, hello, credentials) in Pairs(measurements, LoadLabels.Hello, LoadLabels.Credentials))
        {
            var ratio = Ratio(credentials, hello);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {level} | {hello.PerSecond:N0} | {credentials.PerSecond:N0} | {ratio:0.00} | {(ratio >= HttpRatioGoal ? "met" : "missed")} | {Latency(hello)} | {Latency(credentials)} | {hello.Errors} / {credentials.Errors} |");
        }

        text.AppendLine();
        text.AppendLine("CPU during each measured window, in cores (2 = both cores busy); \"other\" is every other process on the shared machine.");
        text.AppendLine("Service CPU per request is the figure least disturbed by other builders: compare it between targets.");
        text.AppendLine();
        text.AppendLine("| concurrency | target | load generator | service | other | machine | service CPU µs / request |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var m in measurements)
        {
            var service = m.Cpu.ServerCores ?? 0;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Concurrency} | {m.Label} | {m.Cpu.SelfCores:0.00} | {service:0.00} | {Math.Max(0, m.Cpu.MachineCores - m.Cpu.SelfCores - service):0.00} | {m.Cpu.MachineCores:0.00} | {MicrosecondsPer(service, m):0.0} |");
        }

        AppendFirstErrors(text, measurements);
        return text.ToString();
    }

    public string BaselineSection(IReadOnlyList<Measurement> measurements, int connections)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Credentials vs a DB-per-request baseline ({connections} connections, round-robin, same run)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Goal: credentials >= {BaselineRatioGoal:0}x the baseline's req/s. The baseline (`GET {BaselineCredentials.PathTemplate}`, same API-key auth and scope) reads the connection's state row from PostgreSQL through the service's encrypting grain storage, decrypts it and renders the credentials with the same compiled `CredentialBuilder` on every call, as a stateless credentials service does.");
        text.AppendLine();
        text.AppendLine("| concurrency | baseline req/s | credentials req/s | ratio | goal | baseline p50 / p99 ms | credentials p50 / p99 ms | service CPU µs / request (baseline / credentials) | errors baseline |");
        text.AppendLine("|---:|---:|---:|---:|:---:|---:|---:|---:|---:|");
        foreach (var (level, baseline, credentials) in Pairs(measurements, LoadLabels.Baseline, LoadLabels.Credentials))
        {
            var ratio = Ratio(credentials, baseline);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {level} | {baseline.PerSecond:N0} | {credentials.PerSecond:N0} | {ratio:0.0} | {(ratio >= BaselineRatioGoal ? "met" : "missed")} | {Latency(baseline)} | {Latency(credentials)} | {MicrosecondsPer(baseline.Cpu.ServerCores ?? 0, baseline):0.0} / {MicrosecondsPer(credentials.Cpu.ServerCores ?? 0, credentials):0.0} | {baseline.Errors} |");
        }

        return text.ToString();
    }

    /// <summary>Worst ratio over the concurrency levels of <paramref name="targetLabel"/> to <paramref name="baselineLabel"/>; null when not measured.</summary>
    public static double? WorstRatio(IReadOnlyList<Measurement> measurements, string baselineLabel, string targetLabel)
    {
        var relevant = measurements.Where(m => m.Label == baselineLabel || m.Label == targetLabel).ToList();
        return relevant.Any(m => m.Label == baselineLabel) && relevant.Any(m => m.Label == targetLabel)
            ? Pairs(relevant, baselineLabel, targetLabel).Min(p => Ratio(p.Target, p.Baseline))
            : null;
    }

    public string GrainSection(IReadOnlyList<Measurement> measurements, int connections)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## In-silo grain calls ({connections} activations, round-robin, through IGrainFactory, no HTTP)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Goal: >= {GrainCallsGoal:N0} `IConnectionGrain.GetCredentialsAsync` calls/s. Baseline: a `[ReadOnly]` grain returning a constant under the same keys. {Seconds(measurements)} s per run after warm-up.");
        text.AppendLine();
        text.AppendLine("| concurrent callers | baseline calls/s | credentials calls/s | ratio to baseline | goal | baseline p50 / p99 ms | credentials p50 / p99 ms | process cores (baseline / credentials) | CPU µs / call (baseline / credentials) | machine cores | errors |");
        text.AppendLine("|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (level, baseline, credentials) in Pairs(measurements, GrainsCommand.BaselineLabel, GrainsCommand.CredentialsLabel))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {level} | {baseline.PerSecond:N0} | {credentials.PerSecond:N0} | {Ratio(credentials, baseline):0.00} | {(credentials.PerSecond >= GrainCallsGoal ? "met" : "missed")} | {Latency(baseline)} | {Latency(credentials)} | {baseline.Cpu.SelfCores:0.00} / {credentials.Cpu.SelfCores:0.00} | {MicrosecondsPer(baseline.Cpu.SelfCores, baseline):0.0} / {MicrosecondsPer(credentials.Cpu.SelfCores, credentials):0.0} | {baseline.Cpu.MachineCores:0.00} / {credentials.Cpu.MachineCores:0.00} | {baseline.Errors + credentials.Errors} |");
        }

        AppendFirstErrors(text, measurements);
        return text.ToString();
    }

    /// <summary>Writes the report as <c>&lt;date&gt;-<paramref name="name"/>.md</c>, replacing one of the same day; returns its path.</summary>
    public string Write(string directory, string name, string title, params string[] sections)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {TimeProvider.System.GetLocalNow():yyyy-MM-dd HH:mm zzz} with:");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(commandLine);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("| machine | |");
        text.AppendLine("|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| source | {before.SourceRevision} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| nproc | {before.ProcessorCount} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| CPU | {before.CpuModel} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| dotnet --version | {before.DotnetSdk} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| runtime | {before.Runtime}, {(before.ServerGc ? "server" : "workstation")} GC in the service |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| OS | {before.Os} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| /proc/loadavg before / after | {before.LoadAverage} / {after.LoadAverage} |");
        text.AppendLine();
        text.AppendLine("The machine is shared with other builders: compare columns of one run, not absolute numbers across runs.");
        foreach (var section in sections)
        {
            text.AppendLine();
            text.Append(section);
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{TimeProvider.System.GetLocalNow():yyyy-MM-dd}-{name}.md");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static IEnumerable<(int Level, Measurement Baseline, Measurement Target)> Pairs(IReadOnlyList<Measurement> measurements, string baselineLabel, string targetLabel) =>
        measurements.GroupBy(m => m.Concurrency)
            .Select(level => (level.Key, level.Single(m => m.Label == baselineLabel), level.Single(m => m.Label == targetLabel)))
            .OrderBy(pair => pair.Key);

    /// <summary>CPU time spent per successful operation: cores × 1 s / operations per second.</summary>
    private static double MicrosecondsPer(double cores, Measurement m) => m.PerSecond > 0 ? cores * 1_000_000 / m.PerSecond : 0;

    private static double Ratio(Measurement target, Measurement baseline) => baseline.PerSecond > 0 ? target.PerSecond / baseline.PerSecond : 0;

    private static string Latency(Measurement m) => string.Create(CultureInfo.InvariantCulture, $"{m.P50Milliseconds:0.00} / {m.P99Milliseconds:0.00}");

    private static string Seconds(IReadOnlyList<Measurement> measurements) =>
        string.Join(", ", measurements.Select(m => m.Seconds.ToString("0.#", CultureInfo.InvariantCulture)).Distinct());

    private static void AppendFirstErrors(StringBuilder text, IReadOnlyList<Measurement> measurements)
    {
        foreach (var m in measurements.Where(m => m.FirstError is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"First error of {m.Label} at {m.Concurrency}: `{m.FirstError}`.");
        }
    }
}
