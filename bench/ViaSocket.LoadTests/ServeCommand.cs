using System.Runtime.InteropServices;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>serve</c>: the service with a hello-world endpoint and <c>--connections</c> active connections (default 10);
/// prints a <see cref="ServeReady"/> line and runs until stdin closes or SIGTERM/SIGINT arrives.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CommandArguments args)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        await using var service = await BenchService.StartAsync(args.Int("connections", 10), CancellationToken.None);
        Console.Out.WriteLine(Protocol.Line(Protocol.ReadyPrefix,
            new ServeReady(service.BaseAddress.ToString().TrimEnd('/'), service.ApiKey.Reveal(), service.ConnectionIds, Environment.ProcessId)));
        Console.Out.Flush();

        // The orchestrator closes our stdin to stop us; a terminal user presses Ctrl+C (or Ctrl+D).
        _ = Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }

            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }
}
