using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Grains;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>Pending authorizations do not pile up: rows a day past their last write are deleted, recent ones kept.</summary>
public sealed class PendingAuthorizationPurgeTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Rows_a_day_old_are_deleted_and_their_callback_refused_while_a_recent_attempt_still_completes()
    {
        await fixture.Flow.PublishAsync("purge", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var (_, abandoned) = await fixture.Flow.StartAsync("purge", "v1", ownerId: "abandoned");
        var abandonedCallback = await fixture.Flow.ConsentAsync(abandoned);
        await fixture.ExecuteSqlAsync($"UPDATE orleans_storage SET modified_at = now() - interval '25 hours' WHERE state_name = '{StorageNames.PendingAuthorizationState}'");
        var (_, recent) = await fixture.Flow.StartAsync("purge", "v1", ownerId: "recent");
        Assert.Equal(2, await PendingRowsAsync());

        // An activation outliving its row by a day cannot happen in service; here the abandoned one is still warm.
        await fixture.Host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([], TimeSpan.Zero);
        await fixture.Host.App.Services.GetRequiredService<AbandonedAuthorizationPurger>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, await PendingRowsAsync());
        using (var refused = await fixture.Flow.CallbackAsync(abandonedCallback))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("invalid_state", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var completed = await fixture.Flow.CallbackAsync(await fixture.Flow.ConsentAsync(recent));
        Assert.Equal("success", ConnectFlow.ReturnQuery(completed)["status"]);
    }

    private async Task<long> PendingRowsAsync() =>
        (long)(await fixture.ExecuteSqlAsync("SELECT count(*) FROM orleans_storage WHERE state_name = @state", ("state", StorageNames.PendingAuthorizationState)))!;
}
