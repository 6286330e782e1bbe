using ViaSocket.Domain.Security;
using ViaSocket.Grains.Storage;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Storage;

/// <summary>The <c>ViaSocket:Encryption</c> section: the master keys that encrypt grain state at rest.</summary>
public sealed class EncryptionOptions
{
    /// <summary>
    /// A folder of <c>&lt;keyId&gt;.key</c> files (base64, 32 bytes) and an <c>active</c> file naming the key used for
    /// writes. When the folder holds no key, one is generated (mode 0600). The default value is
    /// <c>master-keys</c> in the state directory when the service runs on its embedded database; otherwise empty.
    /// </summary>
    public string? KeyDirectory { get; set; }

    /// <summary>Keys given directly (key id → base64), e.g. from a Kubernetes secret; used when set instead of the folder.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>The key id new writes use, with <see cref="Keys"/>.</summary>
    public string? ActiveKeyId { get; set; }
}

internal static partial class EncryptionExtensions
{
    /// <summary>The master key ring from configuration; generates a local key on first run of the embedded default.</summary>
    public static SecretProtector CreateProtector(IConfiguration configuration, Database database, ILogger logger)
    {
        var options = configuration.GetSection($"{ServerOptions.SectionName}:Encryption").Get<EncryptionOptions>() ?? new EncryptionOptions();
        if (options.Keys.Count > 0)
        {
            return new SecretProtector(MasterKeyRing.Parse(
                options.Keys.Select(k => (k.Key, k.Value)),
                options.ActiveKeyId ?? throw new InvalidOperationException("ViaSocket:Encryption:ActiveKeyId must name one of ViaSocket:Encryption:Keys.")));
        }

        var directory = options.KeyDirectory is { Length: > 0 } configured
            ? configured
            : database.Embedded is not null
                ? DataDirectory.From(configuration).MasterKeys
                : throw new InvalidOperationException(
                    "Grain state is encrypted at rest: configure ViaSocket:Encryption:KeyDirectory (a folder of master keys) or ViaSocket:Encryption:Keys with ActiveKeyId.");
        var (ring, created) = MasterKeyRing.CreateLocalDefault(directory);
        if (created)
        {
            LogGeneratedMasterKey(logger, ring.ActiveKeyId, directory);
        }

        return new SecretProtector(ring);
    }

    /// <summary>Grain storage <paramref name="name"/>: PostgreSQL underneath, every state encrypted.</summary>
    public static void AddEncryptedAdoNetGrainStorage(this ISiloBuilder silo, string name, Database database)
    {
        var inner = name + "-adonet";
        silo.AddAdoNetGrainStorage(inner, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = database.ConnectionString;

            // Deleting on clear makes a cleared grain read as "no record", which the grains rely on.
            o.DeleteStateOnClear = true;
            o.GrainStorageSerializer = new EncryptedStateSerializer();
        });
        silo.AddEncryptedGrainStorage(name, inner);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated master key {KeyId} for encryption at rest in {Directory}; back this folder up, the data cannot be read without it")]
    private static partial void LogGeneratedMasterKey(ILogger logger, string keyId, string directory);
}
