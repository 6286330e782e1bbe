using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ViaSocket.Connections;
using ViaSocket.Grains.Connections;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>
/// The overdue-refresh sweep and the provider-recovery round each wake many connections. Under load some of those calls
/// expire before placement (Orleans throws <see cref="OperationCanceledException"/>): that must cost only the connection
/// it was meant for, never the rest of the round.
/// </summary>
public sealed class WakeUpRoundTests(WakeUpRoundTests.Fixture fixture) : IClassFixture<WakeUpRoundTests.Fixture>
{
    [Fact]
    public async Task An_overdue_connection_that_cannot_be_woken_does_not_leave_the_rest_of_the_batch_overdue()
    {
        // More overdue connections than the sweep wakes at once, the first of them unreachable.
        const string workspaceId = "ws-sweep";
        var ids = await ListInDirectoryAsync(workspaceId, 48, "active", (i, now) => now - TimeSpan.FromHours(2) + TimeSpan.FromSeconds(i));

        fixture.Calls.Unreachable.Add(ids[0]);
        var sweeper = fixture.Host.App.Services.GetServices<IHostedService>().OfType<OverdueRefreshSweeper>().Single();
        await sweeper.RunOnceAsync(CancellationToken.None);

        Assert.Equal(ids, fixture.Calls.Reached(nameof(IConnectionGrain.WakeAsync), workspaceId));
    }

    [Fact]
    public async Task A_degraded_connection_that_cannot_be_reached_does_not_end_the_recovery_round()
    {
        // Two pages of degraded connections of one version; one on the first page cannot be reached.
        const string workspaceId = "ws-recovery";
        var ids = await ListInDirectoryAsync(workspaceId, 520, "degraded", (_, _) => null);

        fixture.Calls.Unreachable.Add(ids[7]);
        var grains = fixture.Host.App.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProviderRecoveryGrain>(GrainKeys.AuthVersion(workspaceId, "plugin", "v1")).ProviderAnsweredAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (fixture.Calls.Reached(nameof(IConnectionGrain.ProviderRecoveredAsync), workspaceId).Count < ids.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(ids, fixture.Calls.Reached(nameof(IConnectionGrain.ProviderRecoveredAsync), workspaceId));
    }

    /// <summary>Directory rows only: the grains behind them hold nothing, which is all a wake-up round needs to address them.</summary>
    private async Task<List<string>> ListInDirectoryAsync(string workspaceId, int count, string status, Func<int, DateTimeOffset, DateTimeOffset?> nextRefreshAt)
    {
        var directory = fixture.Host.App.Services.GetRequiredService<ConnectionDirectory>();
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, count).Select(i => $"{status}-{i:D3}").ToList();
        for (var i = 0; i < count; i++)
        {
            await directory.UpsertAsync(new(workspaceId, ids[i], "owner", "plugin", "v1", status, null, null, now + TimeSpan.FromHours(1), null, null, now, now, nextRefreshAt(i, now)));
        }

        return ids;
    }

    public sealed class Fixture : ServiceFixture
    {
        public WakeUpCalls Calls { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(Calls);
    }

    /// <summary>
    /// Records which connections a wake-up reached. Calls to the listed connections fail at once, as an expired message
    /// does; the others take a moment, as a refresh does, so a round that gives up at the first failure is seen to.
    /// </summary>
    public sealed class WakeUpCalls : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<(string Method, string Key), bool> reached = new();

        public ConcurrentBag<string> Unreachable { get; } = [];

        public IReadOnlyList<string> Reached(string method, string workspaceId) =>
            [.. reached.Keys.Where(k => k.Method == method && k.Key.StartsWith(workspaceId + "/", StringComparison.Ordinal))
                .Select(k => GrainKeys.Split(k.Key)[1]).Order(StringComparer.Ordinal)];

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.ImplementationMethod.Name is not (nameof(IConnectionGrain.WakeAsync) or nameof(IConnectionGrain.ProviderRecoveredAsync)))
            {
                await context.Invoke();
                return;
            }

            var key = context.TargetId.Key.ToString()!;
            reached[(context.ImplementationMethod.Name, key)] = true;
            if (Unreachable.Contains(GrainKeys.Split(key)[1]))
            {
                throw new OperationCanceledException("Message expired before placement could complete.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await context.Invoke();
        }
    }
}
