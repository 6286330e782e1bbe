using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace ViaSocket.LoadTests;

/// <summary>What the numbers were measured on; the load average shows how busy the shared machine was.</summary>
internal sealed record MachineDescription(int ProcessorCount, string CpuModel, string DotnetSdk, string Runtime, string Os, string LoadAverage, bool ServerGc)
{
    public static MachineDescription Read() => new(
        Environment.ProcessorCount,
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        DotnetSdkVersion(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        File.ReadAllText("/proc/loadavg").Trim(),
        GCSettings.IsServerGC);

    private static string DotnetSdkVersion()
    {
        using var dotnet = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var version = dotnet.StandardOutput.ReadToEnd().Trim();
        dotnet.WaitForExit();
        return version;
    }
}

internal static class ResultsDirectory
{
    /// <summary><c>--results-dir</c>, or <c>bench/results</c> of the repository around the current directory.</summary>
    public static string Find(CommandArguments args)
    {
        if (args.Has("results-dir"))
        {
            return args.Required("results-dir");
        }

        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
            {
                return Path.Combine(directory.FullName, "bench", "results");
            }
        }

        throw new InvalidOperationException("Run from inside the repository, or pass --results-dir.");
    }
}
