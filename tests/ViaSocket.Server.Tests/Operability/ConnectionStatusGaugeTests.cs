using ViaSocket.Server.Observability;
using ViaSocket.Server.Tests.Infrastructure;
using Names = ViaSocket.Grains.Diagnostics.ViaSocketMetrics.Names;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>The connections gauge counts in PostgreSQL at most once per interval, however often it is collected.</summary>
public sealed class ConnectionStatusGaugeTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    [Fact]
    public async Task Collections_within_the_interval_reuse_the_count_and_a_later_one_sees_new_connections()
    {
        await fixture.Flow.PublishAsync("gauge-crm", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        using var recorded = new RecordedMeasurements(fixture.Host);
        await fixture.Flow.ConnectAsync("gauge-crm", "v1", ownerId: "gauge-owner-1");

        // A count the host made before this connection existed (any listener collecting) is stale after one interval.
        fixture.Time.Advance(ConnectionStatusGauge.MaxAge);
        var before = await CollectUntilAsync(recorded, total => total >= 1);

        await fixture.Flow.ConnectAsync("gauge-crm", "v1", ownerId: "gauge-owner-2");
        var cached = Collect(recorded);
        fixture.Time.Advance(ConnectionStatusGauge.MaxAge);
        var recounted = await CollectUntilAsync(recorded, total => total != before);

        Assert.True(before >= 1, "The first collection counted no connection.");
        Assert.Equal(before, cached);
        Assert.Equal(before + 1, recounted);
    }

    /// <summary>Collects until the total satisfies <paramref name="done"/>, for up to 10 s: a recount runs in the background.</summary>
    private static async Task<double> CollectUntilAsync(RecordedMeasurements recorded, Func<double, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var total = Collect(recorded);
        while (!done(total) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            total = Collect(recorded);
        }

        return total;
    }

    /// <summary>Collects the gauge once; returns the total over statuses.</summary>
    private static double Collect(RecordedMeasurements recorded)
    {
        var seen = recorded.Of(Names.Connections).Count;
        recorded.Observe();
        return recorded.Of(Names.Connections).Skip(seen).Sum(m => m.Value);
    }
}
