using Microsoft.Extensions.DependencyInjection;

namespace ViaSocket.Persistence.Tests.OrleansProviders;

[Collection(SiloCollection.Name)]
public sealed class ReminderTableContractTests(SiloFixture silo)
{
    private static readonly DateTime StartAt = new(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    private IReminderTable Table => silo.Services.GetRequiredService<IReminderTable>();

    private static GrainId NewGrainId() => GrainId.Create("reminder-grain", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Entry(GrainId grainId, string name = "refresh", int minutes = 5) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = StartAt,
        Period = TimeSpan.FromMinutes(minutes),
    };

    [Fact]
    public async Task Every_upsert_gives_a_new_etag_and_the_row_reads_back_as_written()
    {
        var grainId = NewGrainId();

        var firstEtag = await Table.UpsertRow(Entry(grainId, minutes: 5));
        var secondEtag = await Table.UpsertRow(Entry(grainId, minutes: 10));

        Assert.NotEqual(firstEtag, secondEtag);
        var row = (await Table.ReadRow(grainId, "refresh"))!;
        Assert.Equal(grainId, row.GrainId);
        Assert.Equal(StartAt, row.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(10), row.Period);
        Assert.Equal(secondEtag, row.ETag);
    }

    [Fact]
    public async Task A_period_longer_than_int_milliseconds_survives()
    {
        var grainId = NewGrainId();
        var entry = Entry(grainId);
        entry.Period = TimeSpan.FromDays(60);

        await Table.UpsertRow(entry);

        Assert.Equal(TimeSpan.FromDays(60), (await Table.ReadRow(grainId, "refresh"))!.Period);
    }

    [Fact]
    public async Task Reading_by_grain_returns_only_that_grains_reminders()
    {
        var grainId = NewGrainId();
        await Table.UpsertRow(Entry(grainId, "a"));
        await Table.UpsertRow(Entry(grainId, "b"));
        await Table.UpsertRow(Entry(NewGrainId(), "a"));

        var rows = await Table.ReadRows(grainId);

        Assert.Equal(["a", "b"], rows.Reminders.Select(row => row.ReminderName).Order());
    }

    [Theory]
    [InlineData(0x0000_0000u, 0x4000_0000u)] // non-wrapping, signed order holds: ReadRangeRows1
    [InlineData(0x4000_0000u, 0xC000_0000u)] // non-wrapping across 2^31, signed order flips: ReadRangeRows2
    [InlineData(0xC000_0000u, 0x4000_0000u)] // wrapping past zero, signed order holds: ReadRangeRows1
    [InlineData(0x7000_0000u, 0x1000_0000u)] // wrapping, signed order flips: ReadRangeRows2
    [InlineData(0x1234_5678u, 0x1234_5678u)] // begin == end: the whole ring
    public async Task Reading_a_hash_range_returns_exactly_the_reminders_of_grains_inside_it(uint begin, uint end)
    {
        var grains = Enumerable.Range(0, 64).Select(_ => NewGrainId()).ToList();
        foreach (var grainId in grains)
        {
            await Table.UpsertRow(Entry(grainId));
        }

        var rows = await Table.ReadRows(begin, end);

        var ours = grains.ToHashSet();
        var actual = rows.Reminders.Select(row => row.GrainId).Where(ours.Contains).ToHashSet();
        var expected = grains.Where(grainId => InRange(grainId.GetUniformHashCode(), begin, end)).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Removing_with_a_stale_etag_fails_and_with_the_current_etag_succeeds()
    {
        var grainId = NewGrainId();
        var staleEtag = await Table.UpsertRow(Entry(grainId));
        var currentEtag = await Table.UpsertRow(Entry(grainId));

        Assert.False(await Table.RemoveRow(grainId, "refresh", staleEtag!));
        Assert.NotNull(await Table.ReadRow(grainId, "refresh"));
        Assert.True(await Table.RemoveRow(grainId, "refresh", currentEtag!));
        Assert.Null(await Table.ReadRow(grainId, "refresh"));
    }

    // The ring range (begin, end] as Orleans defines it, in unsigned hash order.
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}
