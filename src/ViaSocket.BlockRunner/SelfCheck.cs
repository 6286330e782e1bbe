using System.Net.Sockets;
using System.Text.Json;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.BlockRunner;

/// <summary>
/// <c>--check PATH [--check-port N]</c>: after confining itself exactly as for work, the runner tries what an
/// escaped script would (read PATH, write next to it, connect to a loopback port) and prints what succeeded, so
/// operators and tests can see the confinement hold on this machine.
/// </summary>
internal static class SelfCheck
{
    public static async Task<int> RunAsync(RunnerIsolation isolation, string path, int? port)
    {
        var report = new
        {
            isolation,
            canRead = Try(() => File.ReadAllBytes(path)),
            canWrite = Try(() => File.WriteAllText(path + ".runner-write", "x")),
            canWriteTemp = Try(() => File.WriteAllText(Path.Combine(Path.GetTempPath(), "runner-check"), "x")),
            canConnect = port is { } p && await TryConnectAsync(p).ConfigureAwait(false),
        };
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report)).ConfigureAwait(false);
        return 0;
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<bool> TryConnectAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
