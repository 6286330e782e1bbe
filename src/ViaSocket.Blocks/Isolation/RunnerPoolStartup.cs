using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ViaSocket.Blocks.Isolation;

/// <summary>Creates the runner pool with the host, so its runners warm up before the first block needs one.</summary>
internal sealed class RunnerPoolStartup(IOptions<BlockIsolationOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode == ScriptIsolation.Process && options.Value.Prestart)
        {
            _ = services.GetService(typeof(RunnerPool));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
