using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ViaSocket.Persistence.Tests.OrleansProviders;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}

[Collection(SiloCollection.Name)]
public sealed class GrainStorageContractTests(SiloFixture silo)
{
    private const string StateName = "counter";

    private IGrainStorage Storage => silo.Services.GetRequiredKeyedService<IGrainStorage>(SiloFixture.Storage);

    private static GrainId NewGrainId() => GrainId.Create("counter-grain", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_gives_default_state_and_no_etag()
    {
        var state = new GrainState<CounterState>(new CounterState());

        await Storage.ReadStateAsync(StateName, NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Value);
    }

    [Fact]
    public async Task A_written_state_reads_back_with_the_etag_of_the_write()
    {
        var grainId = NewGrainId();
        var written = new GrainState<CounterState>(new CounterState { Value = 41 });
        await Storage.WriteStateAsync(StateName, grainId, written);
        written.State!.Value = 42;
        await Storage.WriteStateAsync(StateName, grainId, written);

        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, grainId, read);

        Assert.True(read.RecordExists);
        Assert.Equal(42, read.State!.Value);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("2", read.ETag);
    }

    [Fact]
    public async Task Clearing_resets_the_state_and_moves_the_etag_on()
    {
        var grainId = NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Value = 7 });
        await Storage.WriteStateAsync(StateName, grainId, state);
        var etagBeforeClear = state.ETag;

        await Storage.ClearStateAsync(StateName, grainId, state);

        var read = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, grainId, read);
        Assert.Equal(0, read.State!.Value);
        Assert.NotEqual(etagBeforeClear, read.ETag);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_is_an_inconsistent_state()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Value = 1 }));
        var first = await ReadAsync(grainId);
        var second = await ReadAsync(grainId);
        await Storage.WriteStateAsync(StateName, grainId, first);

        second.State!.Value = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, second));

        Assert.Equal(1, (await ReadAsync(grainId)).State!.Value);
    }

    [Fact]
    public async Task Two_first_writes_of_the_same_grain_let_only_one_win()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Value = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Value = 2 })));
    }

    [Fact]
    public async Task Clearing_with_a_stale_etag_is_an_inconsistent_state()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Value = 1 }));
        var first = await ReadAsync(grainId);
        var stale = await ReadAsync(grainId);
        await Storage.WriteStateAsync(StateName, grainId, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, stale));

        Assert.Equal(1, (await ReadAsync(grainId)).State!.Value);
    }

    [Fact]
    public async Task Two_state_names_with_the_same_grain_key_are_stored_apart()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync("connection", grainId, new GrainState<CounterState>(new CounterState { Value = 1 }));
        await Storage.WriteStateAsync("pending-authorization", grainId, new GrainState<CounterState>(new CounterState { Value = 2 }));

        var connection = new GrainState<CounterState>(new CounterState());
        var pending = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync("connection", grainId, connection);
        await Storage.ReadStateAsync("pending-authorization", grainId, pending);

        Assert.Equal(1, connection.State!.Value);
        Assert.Equal(2, pending.State!.Value);
    }

    [Fact]
    public async Task With_delete_on_clear_the_row_is_removed_and_can_be_written_again()
    {
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(SiloFixture.DeletingStorage);
        var grainId = NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync(StateName, grainId, state);

        await storage.ClearStateAsync(StateName, grainId, state);

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, grainId, read);
        Assert.False(read.RecordExists);
        Assert.Null(state.ETag);
        read.State!.Value = 6;
        await storage.WriteStateAsync(StateName, grainId, read);
        Assert.Equal("1", read.ETag);
    }

    private async Task<GrainState<CounterState>> ReadAsync(GrainId grainId)
    {
        var state = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(StateName, grainId, state);
        return state;
    }
}
