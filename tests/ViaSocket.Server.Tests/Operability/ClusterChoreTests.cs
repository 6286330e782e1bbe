using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Grains;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>Housekeeping outlives a failed run: only the host stopping ends a chore's loop.</summary>
public sealed class ClusterChoreTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_run_cancelled_while_the_host_keeps_running_is_retried_at_the_next_interval()
    {
        // Seen in the 10,000-connection chaos run: a grain call of the overdue-refresh sweep expired before placement on
        // an overloaded silo (OperationCanceledException), the chore's BackgroundService failed, and the host stopped.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = fixture.Host.App.Services;
        using var chore = new CancelledOnceChore(services.GetRequiredService<ConnectionDirectory>(), services.GetRequiredService<IHostApplicationLifetime>(), time);
        await chore.StartAsync(CancellationToken.None);
        await chore.FirstRun.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!chore.SecondRun.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(CancelledOnceChore.Period);
            await Task.WhenAny(chore.SecondRun.Task, Task.Delay(50));
        }

        Assert.False(chore.ExecuteTask!.IsCompleted, "the chore's loop ended with the first run's exception");
        Assert.True(chore.SecondRun.Task.IsCompleted, "the chore did not run again at its next interval");
        await chore.StopAsync(CancellationToken.None);
        Assert.False(chore.ExecuteTask.IsFaulted);
    }

    private sealed class CancelledOnceChore(ConnectionDirectory directory, IHostApplicationLifetime lifetime, TimeProvider time)
        : ClusterChore(directory, lifetime, time, NullLogger.Instance)
    {
        public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

        public TaskCompletionSource FirstRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource SecondRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override TimeSpan Interval => Period;

        protected override long LockId => 0x5649_4153_4f43_4bf1;

        public override Task RunOnceAsync(CancellationToken cancellationToken)
        {
            if (FirstRun.TrySetResult())
            {
                throw new OperationCanceledException("Message expired before placement could complete.");
            }

            SecondRun.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
