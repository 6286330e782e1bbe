namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// A bounded queue served round-robin across tenants: each dequeue takes the oldest item of the tenant at the head,
/// then moves that tenant to the back, so one tenant's burst waits behind a single item of every other tenant.
/// </summary>
internal sealed class FairQueue<T>(int maxItems, int maxItemsPerTenant)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<T>> _byTenant = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _turns = new();
    private readonly SemaphoreSlim _available = new(0);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <returns>Null when queued; otherwise which bound refused it ("tenant" or "lane").</returns>
    public string? TryEnqueue(string tenant, T item)
    {
        lock (_gate)
        {
            if (_count >= maxItems)
            {
                return "lane";
            }

            if (!_byTenant.TryGetValue(tenant, out var queue))
            {
                queue = new Queue<T>();
                _byTenant[tenant] = queue;
                _turns.AddLast(tenant);
            }
            else if (queue.Count >= maxItemsPerTenant)
            {
                return "tenant";
            }

            queue.Enqueue(item);
            _count++;
        }

        _available.Release();
        return null;
    }

    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> DequeueAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var tenant = _turns.First!.Value;
            _turns.RemoveFirst();
            var queue = _byTenant[tenant];
            var item = queue.Dequeue();
            if (queue.Count > 0)
            {
                _turns.AddLast(tenant);
            }
            else
            {
                _byTenant.Remove(tenant);
            }

            _count--;
            return item;
        }
    }
}
