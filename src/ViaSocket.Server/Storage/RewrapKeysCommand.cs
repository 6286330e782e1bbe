using Npgsql;
using ViaSocket.Domain.Security;
using ViaSocket.Grains.Storage;
using ViaSocket.Persistence;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Storage;

/// <summary>
/// <c>ViaSocket.Server rewrap-keys</c>: moves every stored grain state to the active master key by re-wrapping its
/// data key, and upgrades rows written before ciphertexts were bound to their row version. Payloads (the tokens
/// themselves) are decrypted only for that upgrade, in memory. Run it after making a new key active; once it
/// reports nothing left under old keys, the old key files can be removed.
/// </summary>
internal static partial class RewrapKeysCommand
{
    public const string Name = "rewrap-keys";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var database = await builder.AddDatabaseAsync();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("ViaSocket.RewrapKeys");
        try
        {
            var protector = EncryptionExtensions.CreateProtector(builder.Configuration, database, logger);
            var serviceId = ServerOptions.From(builder.Configuration).Cluster.ServiceId;
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var (read, rewritten) = await RewrapAsync(dataSource, serviceId, protector, CancellationToken.None);
            LogRewrapped(logger, read, rewritten, protector.KeyRing.ActiveKeyId);
            return 0;
        }
        finally
        {
            if (database.Embedded is { } embedded)
            {
                await embedded.DisposeAsync();
            }
        }
    }

    public static Task<(int Read, int Rewritten)> RewrapAsync(NpgsqlDataSource dataSource, string serviceId, SecretProtector protector, CancellationToken cancellationToken) =>
        GrainStateRewriter.RewriteAsync(dataSource, serviceId, (payload, version) =>
        {
            var row = new EncryptedState(payload).Parse();
            if (row.Version is not { } boundVersion)
            {
                // Written before rows were bound to their version: decrypted and encrypted again, bound to the
                // version the row has now (the rewrite leaves the version column as it is).
                var plaintext = protector.Unprotect(row.ProtectedValue, row.Context);
                return EncryptedState.Create(row.Context, version, protector.Protect(plaintext, AssociatedData.WithVersion(row.Context, version))).Value;
            }

            return protector.NeedsRewrap(row.ProtectedValue)
                ? EncryptedState.Create(row.Context, boundVersion, protector.Rewrap(row.ProtectedValue, row.AssociatedData)).Value
                : null;
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-wrapped {Rewritten} of {Read} stored grain states; all are now under master key {KeyId}")]
    private static partial void LogRewrapped(ILogger logger, int read, int rewritten, string keyId);
}
