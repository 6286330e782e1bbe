using System.Globalization;

namespace ViaSocket.LoadTests;

/// <summary>
/// Samples the resident memory of this process (the silo) and of its block-runner child processes from
/// <c>/proc</c>, and keeps the peaks of the phase it is told it is in.
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private const string RunnerAssemblyName = "ViaSocket.BlockRunner";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly int selfId = Environment.ProcessId;
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<string, RssPeak> peaks = new(StringComparer.Ordinal);
    private readonly Task sampling;
    private string phase = "start";

    public RssSampler() => sampling = SampleAsync();

    /// <summary>Later samples count toward <paramref name="name"/>'s peaks (phases of the same name share them).</summary>
    public void Enter(string name)
    {
        lock (peaks)
        {
            phase = name;
        }
    }

    public RssReading Now() => new(RssBytes(selfId), ChildIds().Sum(RssBytes), ChildIds().Count());

    public IReadOnlyDictionary<string, RssPeak> Peaks
    {
        get
        {
            lock (peaks)
            {
                return new Dictionary<string, RssPeak>(peaks, StringComparer.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        while (await StormCommand.WaitAsync(timer, stop.Token))
        {
            var reading = Now();
            lock (peaks)
            {
                var peak = peaks.GetValueOrDefault(phase) ?? new RssPeak(0, 0, 0);
                peaks[phase] = new RssPeak(Math.Max(peak.SiloBytes, reading.SiloBytes), Math.Max(peak.RunnersBytes, reading.RunnersBytes), Math.Max(peak.Runners, reading.Runners));
            }
        }
    }

    private IEnumerable<int> ChildIds()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && ParentOf(id) == selfId && IsRunner(id))
            {
                yield return id;
            }
        }
    }

    private static bool IsRunner(int id)
    {
        try
        {
            return File.ReadAllText($"/proc/{id}/cmdline").Contains(RunnerAssemblyName, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int? ParentOf(int id) => Field(id, "PPid:") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    private static long RssBytes(int id) => Field(id, "VmRSS:") is { } text ? long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : 0;

    private static string? Field(int id, string name)
    {
        try
        {
            return File.ReadLines($"/proc/{id}/status").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
        }
        catch (IOException)
        {
            // The process exited between listing and reading (a runner that hit its limit does).
            return null;
        }
    }
}

/// <param name="Runners">Block-runner processes started by the silo.</param>
internal sealed record RssReading(long SiloBytes, long RunnersBytes, int Runners);

internal sealed record RssPeak(long SiloBytes, long RunnersBytes, int Runners);
