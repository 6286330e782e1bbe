using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>What a runner, confined exactly as for work, managed to do in its self-check.</summary>
internal sealed record SelfCheckReport(int Uid, int LandlockAbi, bool NetworkDenied, bool CanRead, bool CanWrite, bool CanWriteTemp, bool CanConnect)
{
    /// <summary>Starts the runner as the pool does, with <c>--check</c> (and <c>--check-port</c>), and reads its report.</summary>
    public static async Task<SelfCheckReport> RunAsync(string tempDirectory, string probePath, int? port = null)
    {
        var arguments = port is { } p ? new[] { "--check", probePath, "--check-port", p.ToString(CultureInfo.InvariantCulture) } : ["--check", probePath];
        var start = new RunnerLaunch(new BlockIsolationOptions { TempDirectory = tempDirectory }).StartInfo(arguments);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"self-check exited with {process.ExitCode}: {await stderr}");
            var report = JsonNode.Parse(await stdout)!;
            var isolation = report["isolation"]!;
            return new SelfCheckReport(
                isolation[nameof(RunnerIsolation.Uid)]!.GetValue<int>(),
                isolation[nameof(RunnerIsolation.LandlockAbi)]!.GetValue<int>(),
                isolation[nameof(RunnerIsolation.NetworkDenied)]!.GetValue<bool>(),
                report["canRead"]!.GetValue<bool>(),
                report["canWrite"]!.GetValue<bool>(),
                report["canWriteTemp"]!.GetValue<bool>(),
                report["canConnect"]!.GetValue<bool>());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
