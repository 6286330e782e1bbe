using System.Runtime.InteropServices;

namespace ViaSocket.BlockRunner;

/// <summary>The few libc calls the runner confines itself with (Linux only).</summary>
internal static partial class Native
{
    public const int RlimitCpu = 0;
    public const int RlimitFsize = 1;
    public const int RlimitData = 2;
    public const int RlimitCore = 4;
    public const int RlimitNofile = 7;
    public const ulong RlimInfinity = ulong.MaxValue;

    public const int PrSetNoNewPrivs = 38;
    public const int PrSetDumpable = 4;

    public const int PrioProcess = 0;
    public const int SchedIdle = 5;
    public const int IdleNice = 19;

    public const int OPath = 0x200000;
    public const int OCloexec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRlimit(int resource, in Rlimit limit);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    public static unsafe partial int GetRusage(int who, byte* usage);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, uint who, int priority);

    /// <summary>With a thread id, sets that thread's policy (Linux scheduling is per thread).</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SchedSetScheduler(int threadId, int policy, in int priority);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static partial int SetGroups(nuint size, nint list);

    [LibraryImport("libc", EntryPoint = "setresgid", SetLastError = true)]
    public static partial int SetResGid(uint real, uint effective, uint saved);

    [LibraryImport("libc", EntryPoint = "setresuid", SetLastError = true)]
    public static partial int SetResUid(uint real, uint effective, uint saved);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, nint arg1, nint arg2, nint arg3, nint arg4);

    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void Exit(int status);

    /// <summary>CPU seconds (user + system) this process has used.</summary>
    public static unsafe double CpuSeconds()
    {
        // struct rusage starts with ru_utime and ru_stime, two struct timevals of two longs each.
        var usage = stackalloc byte[256];
        if (GetRusage(0, usage) != 0)
        {
            return 0;
        }

        var fields = (long*)usage;
        return fields[0] + (fields[1] / 1e6) + fields[2] + (fields[3] / 1e6);
    }
}
