using ViaSocket.Blocks.Isolation;

namespace ViaSocket.Blocks.Tests;

public sealed class FairQueueTests
{
    [Fact]
    public async Task A_tenants_burst_waits_behind_one_item_of_every_other_tenant()
    {
        var queue = new FairQueue<string>(maxItems: 100, maxItemsPerTenant: 10);
        foreach (var item in new[] { "a1", "a2", "a3", "a4" })
        {
            Assert.Null(queue.TryEnqueue("a", item));
        }

        Assert.Null(queue.TryEnqueue("b", "b1"));
        Assert.Null(queue.TryEnqueue("c", "c1"));
        Assert.Null(queue.TryEnqueue("b", "b2"));

        Assert.Equal(["a1", "b1", "c1", "a2", "b2", "a3", "a4"], await DrainAsync(queue, 7));
    }

    [Fact]
    public async Task A_tenant_that_emptied_its_queue_rejoins_the_turns_behind_those_waiting()
    {
        var queue = new FairQueue<string>(maxItems: 100, maxItemsPerTenant: 10);
        queue.TryEnqueue("a", "a1");
        queue.TryEnqueue("b", "b1");
        queue.TryEnqueue("b", "b2");
        Assert.Equal(["a1"], await DrainAsync(queue, 1));

        queue.TryEnqueue("a", "a2");

        Assert.Equal(["b1", "a2", "b2"], await DrainAsync(queue, 3));
    }

    [Fact]
    public void A_full_tenant_is_refused_while_other_tenants_still_queue_until_the_lane_is_full()
    {
        var queue = new FairQueue<string>(maxItems: 3, maxItemsPerTenant: 2);
        Assert.Null(queue.TryEnqueue("a", "a1"));
        Assert.Null(queue.TryEnqueue("a", "a2"));

        Assert.Equal("tenant", queue.TryEnqueue("a", "a3"));
        Assert.Null(queue.TryEnqueue("b", "b1"));
        Assert.Equal("lane", queue.TryEnqueue("c", "c1"));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public async Task A_dequeue_waits_for_an_item_and_gives_up_when_cancelled()
    {
        var queue = new FairQueue<string>(maxItems: 10, maxItemsPerTenant: 10);
        var waiting = queue.DequeueAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        queue.TryEnqueue("a", "a1");
        Assert.Equal("a1", await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        using var cancel = new CancellationTokenSource();
        var abandoned = queue.DequeueAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
    }

    private static async Task<List<string>> DrainAsync(FairQueue<string> queue, int count)
    {
        var items = new List<string>();
        for (var i = 0; i < count; i++)
        {
            items.Add(await queue.DequeueAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        }

        return items;
    }
}
