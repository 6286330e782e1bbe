using System.Runtime.InteropServices;

namespace ViaSocket.BlockRunner;

/// <summary>
/// Landlock (Linux 5.13+, unprivileged): after <see cref="Restrict"/> the process may read only the paths given,
/// write only beneath its temp folder, execute nothing, and (ABI 4+) open no TCP connection or listener; (ABI 6+) it
/// can signal no process outside its own domain, the silo included. Applied once, irreversibly, for the process.
/// </summary>
internal static class Landlock
{
    private const long CreateRulesetSyscall = 444;
    private const long AddRuleSyscall = 445;
    private const long RestrictSelfSyscall = 446;
    private const int CreateRulesetVersion = 1;
    private const int RulePathBeneath = 1;

    private const ulong Execute = 1 << 0;
    private const ulong WriteFile = 1 << 1;
    private const ulong ReadFile = 1 << 2;
    private const ulong ReadDir = 1 << 3;
    private const ulong Truncate = 1 << 14;

    // Everything up to ABI 1 beyond the four above: removing and making directories, files, sockets, links.
    private const ulong MakeAndRemove = 0b1_1111_1111_0000;
    private const ulong Refer = 1 << 13;
    private const ulong IoctlDev = 1 << 15;
    private const ulong FileRights = Execute | WriteFile | ReadFile | Truncate | IoctlDev;

    private const ulong NetBindTcp = 1 << 0;
    private const ulong NetConnectTcp = 1 << 1;
    private const ulong ScopeAbstractUnixSocket = 1 << 0;
    private const ulong ScopeSignal = 1 << 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct RulesetAttr
    {
        public ulong HandledAccessFs;
        public ulong HandledAccessNet;
        public ulong Scoped;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct PathBeneathAttr
    {
        public ulong AllowedAccess;
        public int ParentFd;
    }

    /// <summary>The Landlock ABI the kernel offers; 0 when it has none or it is disabled.</summary>
    public static int Abi()
    {
        var abi = Native.Syscall(CreateRulesetSyscall, 0, 0, CreateRulesetVersion, 0);
        return abi > 0 ? (int)abi : 0;
    }

    /// <returns>Whether TCP is denied too.</returns>
    /// <exception cref="InvalidOperationException">The kernel refused a step.</exception>
    public static unsafe bool Restrict(int abi, IEnumerable<string> readable, string writable)
    {
        var handledFs = Execute | WriteFile | ReadFile | ReadDir | MakeAndRemove
            | (abi >= 2 ? Refer : 0) | (abi >= 3 ? Truncate : 0) | (abi >= 5 ? IoctlDev : 0);
        var attr = new RulesetAttr
        {
            HandledAccessFs = handledFs,
            HandledAccessNet = abi >= 4 ? NetBindTcp | NetConnectTcp : 0,
            Scoped = abi >= 6 ? ScopeAbstractUnixSocket | ScopeSignal : 0,
        };
        var size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
        var ruleset = (int)Native.Syscall(CreateRulesetSyscall, (nint)(&attr), size, 0, 0);
        if (ruleset < 0)
        {
            throw new InvalidOperationException($"landlock_create_ruleset failed ({Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            foreach (var path in readable)
            {
                Allow(ruleset, path, ReadFile | ReadDir, handledFs);
            }

            Allow(ruleset, writable, handledFs & ~Execute, handledFs);
            if (Native.Prctl(Native.PrSetNoNewPrivs, 1, 0, 0, 0) != 0
                || Native.Syscall(RestrictSelfSyscall, ruleset, 0, 0, 0) != 0)
            {
                throw new InvalidOperationException($"landlock_restrict_self failed ({Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(ruleset);
        }

        return abi >= 4;
    }

    private static unsafe void Allow(int ruleset, string path, ulong rights, ulong handled)
    {
        var fd = Native.Open(path, Native.OPath | Native.OCloexec);
        if (fd < 0)
        {
            return; // Absent on this machine: nothing to allow.
        }

        try
        {
            var isDirectory = Directory.Exists(path);
            var rule = new PathBeneathAttr
            {
                AllowedAccess = rights & handled & (isDirectory ? ulong.MaxValue : FileRights),
                ParentFd = fd,
            };
            if (Native.Syscall(AddRuleSyscall, ruleset, RulePathBeneath, (nint)(&rule), 0) != 0)
            {
                throw new InvalidOperationException($"landlock_add_rule failed for a path ({Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }
}
