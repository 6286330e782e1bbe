using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Npgsql;
using ViaSocket.Persistence.DataProtection;
using ViaSocket.Security;

namespace ViaSocket.Server.Extensions;

internal static class DataProtectionExtensions
{
    /// <summary>
    /// The name every process of the service protects under. Data Protection otherwise derives it from the content root,
    /// which differs between machines and containers, and payloads of one would not unprotect on another.
    /// </summary>
    public const string ApplicationName = "ViaSocket.Orleans";

    /// <summary>
    /// One Data Protection key ring for every front-end (UI session cookies): kept in PostgreSQL, its key material
    /// encrypted with the service's master keys by a silo (<see cref="IKeyRingProtectorGrain"/>), so front-end-only
    /// processes never hold the master keys.
    /// </summary>
    public static void AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        var serviceId = ServerOptions.From(builder.Configuration).Cluster.ServiceId;
        builder.Services.AddSingleton<KeyRingEncryption>();
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource, KeyRingEncryption>((options, dataSource, encryption) =>
        {
            options.XmlRepository = new PostgresXmlRepository(dataSource, serviceId);
            options.XmlEncryptor = new MasterKeyXmlEncryptor(encryption);
        });
    }
}

/// <summary>
/// Key material in and out of its master-key envelope, by a silo. Data Protection's encryptor interfaces are
/// synchronous; they run only when a key is created or the ring is (re)loaded, a few times a day, never per request.
/// </summary>
public sealed class KeyRingEncryption(IGrainFactory grains)
{
    private IKeyRingProtectorGrain Protector => grains.GetGrain<IKeyRingProtectorGrain>(0);

    public string Protect(string plaintext) => Protector.ProtectAsync(plaintext).GetAwaiter().GetResult();

    public string Unprotect(string protectedValue) => Protector.UnprotectAsync(protectedValue).GetAwaiter().GetResult();
}

/// <summary>Replaces a key's secret XML with one element holding its master-key envelope.</summary>
public sealed class MasterKeyXmlEncryptor(KeyRingEncryption encryption) : IXmlEncryptor
{
    internal static readonly XName EncryptedElement = "masterKeyEncrypted";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var encrypted = new XElement(
            EncryptedElement,
            new XComment(" The key material, encrypted with the service's master key (AES-256-GCM envelope). "),
            new XElement("value", encryption.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting))));
        return new EncryptedXmlInfo(encrypted, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>
/// The counterpart of <see cref="MasterKeyXmlEncryptor"/>. Data Protection creates it by type name from the stored XML,
/// with the service provider as its only argument.
/// </summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly KeyRingEncryption encryption = services.GetRequiredService<KeyRingEncryption>();

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var value = encryptedElement.Element("value")?.Value
            ?? throw new InvalidOperationException($"A {MasterKeyXmlEncryptor.EncryptedElement} element has no value.");
        return XElement.Parse(encryption.Unprotect(value));
    }
}
