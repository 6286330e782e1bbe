using Jint;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// An allocation budget that survives <c>await</c>. Jint's own memory limit reads the allocation counter of the
/// current thread, so once a script resumes on another thread it compares unrelated counters. This constraint
/// accumulates the growth of the counter between consecutive checks made on the same thread, and starts a new
/// baseline whenever the thread changes or a host task the script awaited has completed (the counter of a
/// thread that ran other work in between says nothing about the script).
/// </summary>
internal sealed class CrossThreadAllocationConstraint(long maxBytes) : Constraint
{
    private int _threadId = -1;
    private long _lastReading;
    private int _resumed;

    /// <summary>Bytes the script has allocated so far.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Allocation must be exact, never sampled: one statement can allocate without bound.</summary>
    public override bool IsAmortizable => false;

    /// <summary>Called when a host task the script may await completes: the next check starts a new baseline.</summary>
    public void MarkResumed() => Volatile.Write(ref _resumed, 1);

    public override void Check()
    {
        var threadId = Environment.CurrentManagedThreadId;
        var reading = GC.GetAllocatedBytesForCurrentThread();
        var resumed = Interlocked.Exchange(ref _resumed, 0) == 1;
        if (threadId == _threadId && !resumed)
        {
            AllocatedBytes += reading - _lastReading;
        }

        _threadId = threadId;
        _lastReading = reading;
        if (AllocatedBytes > maxBytes)
        {
            throw new SandboxLimitExceededException(SandboxLimits.Memory, $"The block allocated more than {maxBytes} bytes.");
        }
    }

    /// <summary>The budget spans the whole run (the engine resets constraints on every entry, awaits included).</summary>
    public override void Reset()
    {
    }
}
