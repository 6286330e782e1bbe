using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace ViaSocket.LoadTests;

/// <summary>What the numbers were measured on; the load average shows how busy the shared machine was.</summary>
/// <param name="SourceRevision">The commit of the checkout the run was started in; <c>-dirty</c> when it had uncommitted changes.</param>
internal sealed record MachineDescription(int ProcessorCount, string CpuModel, string DotnetSdk, string Runtime, string Os, string LoadAverage, bool ServerGc, string SourceRevision)
{
    public static MachineDescription Read() => new(
        Environment.ProcessorCount,
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        DotnetSdkVersion(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        File.ReadAllText("/proc/loadavg").Trim(),
        GCSettings.IsServerGC,
        Output("git", "describe", "--always", "--dirty", "--abbrev=7") is { Length: > 0 } revision ? revision : "unknown (not a git checkout)");

    private static string DotnetSdkVersion() => Output("dotnet", "--version");

    private static string Output(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;

            // Drained alongside: a full stderr pipe would block the program before it finishes writing stdout.
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            _ = errors.Result;
            return process.ExitCode == 0 ? output : string.Empty;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The program is not installed: the report says what it could not read rather than failing the run.
            return string.Empty;
        }
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
