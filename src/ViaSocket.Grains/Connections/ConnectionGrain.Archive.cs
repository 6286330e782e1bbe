using ViaSocket.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>Archiving: a revoked connection, which holds no token any more, leaves the lists for good.</summary>
internal sealed partial class ConnectionGrain
{
    public async Task<ConnectionError?> ArchiveAsync()
    {
        if (!state.RecordExists)
        {
            return new ConnectionError(ConnectionErrorCodes.NotFound, "The connection does not exist.");
        }

        if (S.Status != ConnectionStatus.Revoked)
        {
            // Archiving a usable connection would drop tokens without telling the provider: disconnect does that.
            return new ConnectionError(ConnectionErrorCodes.NotRevoked, $"The connection is {S.Status.ToString().ToLowerInvariant()}; disconnect it before archiving it.");
        }

        await DeleteAsync();
        return null;
    }
}
