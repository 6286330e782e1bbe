using System.Diagnostics;
using System.Globalization;

namespace ViaSocket.LoadTests;

/// <summary>
/// CPU time of this process, of an optional other process (the service), and of the whole machine (<c>/proc/stat</c>),
/// so a result can say how the cores were split between load generator, service and everything else.
/// </summary>
internal sealed class CpuMeter(int? serverProcessId)
{
    public CpuSnapshot Take()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuSnapshot(Stopwatch.GetTimestamp(), self.TotalProcessorTime, ServerCpu(), MachineTicks());
    }

    /// <summary>Average cores used between two snapshots (1.0 = one core fully busy).</summary>
    public static CpuUsage Between(CpuSnapshot start, CpuSnapshot end)
    {
        var wallSeconds = (end.Timestamp - start.Timestamp) / (double)Stopwatch.Frequency;
        var busyTicks = end.Machine.Busy - start.Machine.Busy;
        var totalTicks = end.Machine.Total - start.Machine.Total;
        var machineCores = totalTicks > 0 ? Environment.ProcessorCount * (double)busyTicks / totalTicks : 0;
        double? serverCores = start.Server is { } s0 && end.Server is { } s1 ? (s1 - s0).TotalSeconds / wallSeconds : null;
        return new CpuUsage((end.Self - start.Self).TotalSeconds / wallSeconds, serverCores, machineCores);
    }

    private TimeSpan? ServerCpu()
    {
        if (serverProcessId is not { } pid)
        {
            return null;
        }

        try
        {
            using var server = Process.GetProcessById(pid);
            return server.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            // The service exited; the run reports the errors this causes.
            return null;
        }
    }

    /// <summary>
    /// CPU time of every live process whose command name is <paramref name="name"/> (e.g. the PostgreSQL server and its
    /// backends), from <c>/proc/[pid]/stat</c>. Processes that exit in between take their time with them, so compare
    /// snapshots of long-lived processes (pooled backends) only.
    /// </summary>
    public static TimeSpan CpuOfProcessesNamed(string name)
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // pid (comm) state ... utime stime: fields 14 and 15, counted after the closing parenthesis of comm.
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != name)
            {
                continue;
            }

            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    // USER_HZ: 100 on every Linux this runs on.
    private const int ClockTicksPerSecond = 100;

    /// <summary>The aggregate line of /proc/stat: user nice system idle iowait irq softirq steal (guest is inside user).</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..9]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }
}

internal readonly record struct CpuSnapshot(long Timestamp, TimeSpan Self, TimeSpan? Server, (long Busy, long Total) Machine);

/// <param name="SelfCores">This process (the load generator, or the whole silo in grains mode).</param>
/// <param name="ServerCores">The service process, when measured from outside it.</param>
/// <param name="MachineCores">Every process on the machine, including other builders.</param>
internal sealed record CpuUsage(double SelfCores, double? ServerCores, double MachineCores);
