using System.Runtime.InteropServices;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// Marks the silo non-dumpable before it starts runners. A runner that keeps the silo's user (a container's non-root
/// user, which cannot change user) on a kernel without Landlock could otherwise read the silo's memory and environment
/// through <c>/proc/&lt;pid&gt;/mem</c> and <c>environ</c>, which the kernel opens only to the same user while the
/// process is dumpable. It also means no core dump, which would hold every decrypted token, is ever written.
/// </summary>
internal static class SiloMemoryProtection
{
    private const int PrSetDumpable = 4;
    private const int PrGetDumpable = 3;

    /// <returns>False where it could not be applied (not Linux, or the kernel refused).</returns>
    public static bool Apply() => OperatingSystem.IsLinux() && Prctl(PrSetDumpable, 0, 0, 0, 0) == 0;

    /// <summary>Whether this process is still dumpable (true off Linux, where the flag does not exist).</summary>
    public static bool IsDumpable() => !OperatingSystem.IsLinux() || Prctl(PrGetDumpable, 0, 0, 0, 0) != 0;

    // DllImport: its arguments are blittable, and LibraryImport would need unsafe code in this whole assembly.
    [DllImport("libc", EntryPoint = "prctl")]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
