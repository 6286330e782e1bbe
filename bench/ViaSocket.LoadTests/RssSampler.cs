using ViaSocket.Testing.Processes;

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

    public RssReading Now()
    {
        var runners = ChildIds();
        return new(ProcessTable.ResidentBytes(selfId), runners.Sum(ProcessTable.ResidentBytes), runners.Count);
    }

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

    private List<int> ChildIds() => ProcessTable.ChildrenWithCommandLineContaining(selfId, RunnerAssemblyName);
}

/// <param name="Runners">Block-runner processes started by the silo.</param>
internal sealed record RssReading(long SiloBytes, long RunnersBytes, int Runners);

internal sealed record RssPeak(long SiloBytes, long RunnersBytes, int Runners);
