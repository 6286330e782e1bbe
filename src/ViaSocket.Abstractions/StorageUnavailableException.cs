namespace ViaSocket;

/// <summary>
/// PostgreSQL failed under a grain call. Raised in place of the driver's exception, which cannot cross to Orleans
/// clients (no codec) and whose message may quote stored values; this one carries only the SQLSTATE.
/// </summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : OrleansException
{
    public StorageUnavailableException(string message)
        : base(message)
    {
    }
}
