using System.Globalization;
using System.Text;

namespace ViaSocket.LoadTests;

/// <summary>The kinds of refresh block the storm's version can use (<c>storm --refresh-block</c>).</summary>
internal static class RefreshBlocks
{
    public const string Declarative = "declarative";
    public const string JavaScript = "javascript";
}

/// <summary>
/// <c>isolation-storm</c>: the refresh storm twice in one run, each in its own <c>storm</c> child with the same options
/// (<c>suite</c>'s storm options pass through, e.g. <c>--storm-connections 3000 --storm-spread 2</c>): first with the
/// declarative refresh request, then with the equivalent JavaScript refresh block run in the runner processes. Writes
/// <c>bench/results/&lt;date&gt;-isolation-storm.md</c> with the JavaScript / declarative ratios.
/// </summary>
internal static class IsolationStormCommand
{
    public static async Task<int> RunAsync(CommandArguments args, string commandLine)
    {
        var machineBefore = MachineDescription.Read();
        var results = new List<StormResult>();
        foreach (var block in new[] { RefreshBlocks.Declarative, RefreshBlocks.JavaScript })
        {
            Console.Out.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} isolation-storm: {block} refresh block");
            results.Add(await SuiteCommand.RunStormAsync(args, "--refresh-block", block));
        }

        var report = new BenchReport(commandLine, machineBefore, MachineDescription.Read());
        var sections = new List<string> { Comparison(results[0], results[1]) };
        sections.AddRange(results.Select(r => $"# {r.RefreshBlock} refresh block{Environment.NewLine}{Environment.NewLine}{StormReport.StormSection(r)}"));
        var path = report.Write(ResultsDirectory.Find(args), "isolation-storm", "Refresh storm: JavaScript vs declarative refresh block", [.. sections]);
        Console.Out.WriteLine($"Wrote {path}");
        return 0;
    }

    private static string Comparison(StormResult declarative, StormResult javaScript)
    {
        var text = new StringBuilder();
        text.AppendLine("## JavaScript vs declarative refresh block");
        text.AppendLine();
        text.AppendLine("Two storms one after the other with the same options, each in a fresh service process and database. The JavaScript block sends the same form to the same token endpoint (`axios.post` with `URLSearchParams`) and runs in the connection lane's runner processes (default pool); the declarative request runs in the silo.");
        text.AppendLine();
        text.AppendLine("| | declarative | JavaScript | JavaScript / declarative |");
        text.AppendLine("|---|---:|---:|---:|");
        Row(text, "refreshes/s over the drain time", declarative.Storm.RefreshesPerSecond, javaScript.Storm.RefreshesPerSecond, "N0");
        Row(text, "peak refreshes in one second", declarative.Storm.PeakRefreshesPerSecond, javaScript.Storm.PeakRefreshesPerSecond, "N0");
        Row(text, "drain time s", declarative.Storm.DrainSeconds, javaScript.Storm.DrainSeconds, "0.0");
        Row(text, "delay after falling due p50 s", declarative.Storm.DelaySeconds.P50, javaScript.Storm.DelaySeconds.P50, "0.0");
        Row(text, "delay after falling due p99 s", declarative.Storm.DelaySeconds.P99, javaScript.Storm.DelaySeconds.P99, "0.0");
        Row(text, "silo process CPU ms per refresh (runners not included)", declarative.Cpu.ProcessMsPerRefresh, javaScript.Cpu.ProcessMsPerRefresh, "0.00");
        Row(text, "machine cores while draining", declarative.Cpu.MachineCores, javaScript.Cpu.MachineCores, "0.00");
        Row(text, "credential read p99 ms during the storm", declarative.Readers.AnswerSeconds.P99 * 1000, javaScript.Readers.AnswerSeconds.P99 * 1000, "0.0");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| refreshed / not refreshed | {declarative.Storm.Refreshed:N0} / {declarative.Storm.NotRefreshed:N0} | {javaScript.Storm.Refreshed:N0} / {javaScript.Storm.NotRefreshed:N0} | |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| refresh requests failed at the provider | {declarative.ProviderRefreshFailures:N0} | {javaScript.ProviderRefreshFailures:N0} | |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| statuses after the storm | {Statuses(declarative)} | {Statuses(javaScript)} | |");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, double declarative, double javaScript, string format) =>
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {declarative.ToString(format, CultureInfo.InvariantCulture)} | {javaScript.ToString(format, CultureInfo.InvariantCulture)} | {(declarative != 0 ? (javaScript / declarative).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "")} |");

    private static string Statuses(StormResult r) =>
        string.Join(", ", r.Storm.Statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:N0}")));
}
