using System.Runtime.InteropServices;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.BlockRunner;

/// <summary>
/// What the runner does to itself before it accepts any author code. Each step is what the OS enforces, not the
/// interpreter: resource limits (no core dumps, small files, few descriptors, a ceiling on writable memory), root
/// dropped to <c>nobody</c>, and Landlock (reads only of the runtime and its own assemblies, writes only in its temp
/// folder, no exec, no TCP, no signals out). A step the machine does not offer is skipped and reported as such.
/// </summary>
internal static class Confinement
{
    private const uint Nobody = 65534;
    private const ulong MaxFileBytes = 4 * 1024 * 1024;
    private const ulong MaxOpenFiles = 256;

    /// <summary>Limits that cost nothing to set first.</summary>
    public static void ApplyResourceLimits()
    {
        SetLimit(Native.RlimitCore, 0);
        SetLimit(Native.RlimitFsize, MaxFileBytes);
        SetLimit(Native.RlimitNofile, MaxOpenFiles);
    }

    /// <summary>
    /// For test runs: every thread to SCHED_IDLE at the lowest nice, so any other task on the machine takes the CPU
    /// the moment it wakes, and threads started later inherit it. Linux schedules threads, not processes, so the
    /// silo setting the process's priority would reach only threads that inherit it. Passes repeat until one finds
    /// every thread done, in case the runtime started one meanwhile.
    /// </summary>
    /// <returns>Whether every thread runs at idle priority.</returns>
    public static bool RunAtIdlePriority()
    {
        var done = new HashSet<int>();
        for (var pass = 0; pass < 5; pass++)
        {
            var threads = Directory.EnumerateDirectories("/proc/self/task").Select(folder => int.Parse(Path.GetFileName(folder), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var fresh = threads.Where(done.Add).ToList();
            if (fresh.Count == 0)
            {
                return true;
            }

            foreach (var thread in fresh)
            {
                if (Native.SetPriority(Native.PrioProcess, (uint)thread, Native.IdleNice) != 0 || Native.SchedSetScheduler(thread, Native.SchedIdle, 0) != 0)
                {
                    // A thread that ended in between is fine; any other refusal means the policy is not in place.
                    if (Directory.Exists($"/proc/self/task/{thread}"))
                    {
                        return false;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>The rest, after the warm-up run loaded every assembly the runner needs.</summary>
    public static RunnerIsolation Apply(RunnerArguments arguments, bool idlePriority)
    {
        Directory.CreateDirectory(arguments.TempDirectory);
        File.SetUnixFileMode(arguments.TempDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Environment.SetEnvironmentVariable("TMPDIR", arguments.TempDirectory);
        var uid = DropRoot(arguments.TempDirectory);
        if (arguments.DataLimitBytes > 0)
        {
            SetLimit(Native.RlimitData, (ulong)arguments.DataLimitBytes);
        }

        var abi = Landlock.Abi();
        var networkDenied = abi > 0 && Landlock.Restrict(abi, ReadablePaths(arguments.TempDirectory), arguments.TempDirectory);
        return new RunnerIsolation(
            Environment.ProcessId,
            (int)uid,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            arguments.DataLimitBytes,
            CpuLimited: true,
            LandlockAbi: abi,
            NetworkDenied: networkDenied,
            IdlePriority: idlePriority);
    }

    /// <summary>Sets the per-run CPU budget: the kernel sends SIGXCPU (which ends the process) once it is spent.</summary>
    public static void LimitCpuForRun(TimeSpan budget)
    {
        var soft = (ulong)Math.Ceiling(Native.CpuSeconds() + budget.TotalSeconds);
        var limit = new Native.Rlimit { Current = soft, Maximum = Native.RlimInfinity };
        _ = Native.SetRlimit(Native.RlimitCpu, limit);
    }

    private static uint DropRoot(string tempDirectory)
    {
        if (Native.GetEuid() != 0)
        {
            return Native.GetEuid();
        }

        if (Native.Chown(tempDirectory, Nobody, Nobody) != 0
            || Native.SetGroups(0, 0) != 0
            || Native.SetResGid(Nobody, Nobody, Nobody) != 0
            || Native.SetResUid(Nobody, Nobody, Nobody) != 0)
        {
            throw new InvalidOperationException($"Dropping root failed ({Marshal.GetLastPInvokeError()}).");
        }

        return Native.GetEuid();
    }

    private static IEnumerable<string> ReadablePaths(string tempDirectory)
    {
        // The runtime (late framework loads), the runner's own assemblies one file at a time (not the folder: a
        // silo's folder holds its settings), system libraries, and the kernel's views the runtime reads.
        yield return Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!assembly.IsDynamic && assembly.Location.Length > 0)
            {
                yield return assembly.Location;
            }
        }

        foreach (var system in new[] { "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/proc", "/sys", "/dev" })
        {
            yield return system;
        }

        yield return tempDirectory;
    }

    private static void SetLimit(int resource, ulong value)
    {
        var limit = new Native.Rlimit { Current = value, Maximum = value };
        _ = Native.SetRlimit(resource, limit);
    }
}

/// <summary>The runner's command line, written by the silo that starts it.</summary>
/// <param name="CheckPath">Self-check mode: after confining itself, try to read and write next to this file, report, and exit.</param>
/// <param name="CheckPort">Self-check mode: also try a TCP connection to this loopback port.</param>
/// <param name="Idle">Run at idle priority (<see cref="PriorityOption"/> <c>idle</c>): the test-run lane's runners.</param>
internal sealed record RunnerArguments(string TempDirectory, long DataLimitBytes, string? CheckPath = null, int? CheckPort = null, bool Idle = false)
{
    public const string TempOption = "--temp";
    public const string DataLimitOption = "--data-limit";
    public const string CheckOption = "--check";
    public const string CheckPortOption = "--check-port";
    public const string PriorityOption = "--priority";
    public const string IdlePriority = "idle";

    public static RunnerArguments Parse(string[] args)
    {
        string? temp = null;
        string? check = null;
        int? checkPort = null;
        long dataLimit = 0;
        var idle = false;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case TempOption:
                    temp = args[i + 1];
                    break;
                case CheckOption:
                    check = args[i + 1];
                    break;
                case CheckPortOption:
                    checkPort = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case PriorityOption:
                    idle = args[i + 1] == IdlePriority;
                    break;
                case DataLimitOption:
                    dataLimit = long.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        return new RunnerArguments(
            temp ?? Path.Combine(Path.GetTempPath(), $"runner-{Environment.ProcessId}"),
            dataLimit,
            check,
            checkPort,
            idle);
    }
}
