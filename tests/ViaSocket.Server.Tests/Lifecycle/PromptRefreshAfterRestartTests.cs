using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// A refresh that fell due while the cluster was down runs as soon as a silo is ready, even when the restart comes
/// only moments after the due time: the reminder's missed tick is not replayed, and a sweep that waited out the usual
/// grace would leave it to the next steady sweep, ~30 s later.
/// </summary>
public sealed class PromptRefreshAfterRestartTests
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_refresh_due_a_second_before_the_restart_runs_within_5_s_of_the_silo_being_ready()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId;
        DateTimeOffset dueAt;
        await using (var first = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(first.CallbackUrl) with { AccessTokenLifetime = TimeSpan.FromSeconds(20) });
            var flow = new ConnectFlow(first, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
            dueAt = await flow.NextRefreshAtAsync(connectionId);
        }

        // The refresh falls due while nothing runs, and the service comes back a second later. Its clock is the test's:
        // it stands still but for the 5 s the test lets pass, so a sweep 30 s on cannot be what refreshes the connection,
        // and the reminder's next tick is a period away. Nothing else touches the connection (an activation would
        // refresh it too).
        var downtime = dueAt + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime);
        }

        var refreshesBefore = provider.RefreshGrants;
        var clock = new FakeTimeProvider(dueAt + TimeSpan.FromSeconds(1));
        await using var second = await ViaSocketTestHost.StartAsync(connectionString, apiKey, builder => builder.Services.AddSingleton<TimeProvider>(clock), keys);
        var readyAt = clock.GetUtcNow();

        // The wall clock only bounds the wait: on a loaded machine the refresh's runner and provider round trip take seconds.
        var wall = Stopwatch.StartNew();
        while (provider.RefreshGrants == refreshesBefore && wall.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (clock.GetUtcNow() < readyAt + Promptly)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            await Task.Delay(50);
        }

        Assert.True(provider.RefreshGrants == refreshesBefore + 1, $"{provider.RefreshGrants - refreshesBefore} refreshes within {Promptly.TotalSeconds} s of the silo being ready ({wall.Elapsed.TotalSeconds:F1} s of wall time)");
        var restarted = new ConnectFlow(second, provider);
        var lastRefreshedAt = await ConnectFlow.ReadUntilChangedAsync(
            async () => (await restarted.GetJsonAsync($"/v1/connections/{connectionId}"))["lastRefreshedAt"]?.ToString() ?? "", "", DateTimeOffset.UtcNow.AddSeconds(10));
        Assert.InRange(DateTimeOffset.Parse(lastRefreshedAt, CultureInfo.InvariantCulture), readyAt, readyAt + Promptly);
        Assert.Equal(0, provider.RefreshTokenReuseCount);
    }
}
