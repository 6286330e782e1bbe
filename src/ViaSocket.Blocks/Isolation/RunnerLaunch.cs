using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// How a runner process is started: <c>dotnet exec ViaSocket.BlockRunner.dll</c> with the silo's runtime, stdin and
/// stdout as its only channel, and an environment built from nothing (no connection strings, keys or settings of
/// the silo reach it; only the runtime knobs that set its heap ceiling and turn off the diagnostics socket).
/// </summary>
internal sealed class RunnerLaunch(BlockIsolationOptions options)
{
    public const string RunnerAssembly = "ViaSocket.BlockRunner.dll";

    /// <summary>The runner's priority argument (the runner applies it to each of its threads).</summary>
    public const string PriorityOption = "--priority";
    public const string IdlePriority = "idle";
    public const string NormalPriority = "normal";

    public string RunnerPath { get; } = options.RunnerPath ?? Path.Combine(AppContext.BaseDirectory, RunnerAssembly);

    public string TempDirectory { get; } = options.TempDirectory ?? Path.Combine(Path.GetTempPath(), "viasocket-runners");

    private static string Muxer
    {
        get
        {
            // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/dotnet
            var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        }
    }

    /// <summary>
    /// The start of one runner, with a temp folder of its own (its working directory; the runner takes it over, and
    /// the silo deletes it when the runner is gone), so no runner sees what another left behind.
    /// </summary>
    public ProcessStartInfo StartInfo(params string[] extraArguments)
    {
        var temp = Directory.CreateDirectory(Path.Combine(TempDirectory, $"runner-{Guid.NewGuid():N}")).FullName;
        var start = new ProcessStartInfo(Muxer)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = temp,
        };
        foreach (var argument in new[] { "exec", RunnerPath, "--temp", temp, "--data-limit", Megabytes(options.DataLimitMegabytes) }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["HOME"] = temp;
        start.Environment["TMPDIR"] = temp;
        start.Environment["DOTNET_GCHeapHardLimit"] = (options.HeapLimitMegabytes * 1024L * 1024L).ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    private static string Megabytes(int megabytes) => (megabytes * 1024L * 1024L).ToString(CultureInfo.InvariantCulture);
}
