using System.Runtime.InteropServices;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>Asks the kernel itself, not the runner, which Landlock ABI it offers.</summary>
internal static partial class LandlockProbe
{
    private const long CreateRulesetSyscall = 444;
    private const nint CreateRulesetVersion = 1;

    /// <summary>The ABI version (1 and up), or 0 when the kernel has no Landlock or it is disabled.</summary>
    public static int Abi()
    {
        var abi = Syscall(CreateRulesetSyscall, 0, 0, CreateRulesetVersion);
        return abi > 0 ? (int)abi : 0;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, nint attributes, nint size, nint flags);
}
