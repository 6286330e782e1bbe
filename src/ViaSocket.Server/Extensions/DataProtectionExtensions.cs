using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Npgsql;
using ViaSocket.Domain.Security;
using ViaSocket.Persistence.DataProtection;
using ViaSocket.Server.Storage;

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
    /// encrypted with the service's master keys. Silos already hold the master keys; a front-end-only process loads them
    /// from the same <c>ViaSocket:Encryption</c> settings and refuses to start without them.
    /// </summary>
    public static void AddSharedDataProtection(this WebApplicationBuilder builder, Database database)
    {
        var serviceId = ServerOptions.From(builder.Configuration).Cluster.ServiceId;
        var masterKeys = builder.Services.Any(d => d.ServiceType == typeof(SecretProtector)) ? null : LoadMasterKeys(builder.Configuration, database);
        builder.Services.AddSingleton(services => new KeyRingEncryption(masterKeys ?? services.GetRequiredService<SecretProtector>(), serviceId));

        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource, KeyRingEncryption>((options, dataSource, encryption) =>
        {
            options.XmlRepository = new PostgresXmlRepository(dataSource, serviceId);
            options.XmlEncryptor = new MasterKeyXmlEncryptor(encryption);
        });
    }

    private static SecretProtector LoadMasterKeys(IConfiguration configuration, Database database)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        try
        {
            return EncryptionExtensions.CreateProtector(configuration, database, loggerFactory.CreateLogger("ViaSocket.Encryption"));
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException(
                $"Front-ends encrypt the shared Data Protection key ring (UI sessions) with the master keys. {exception.Message}", exception);
        }
    }
}

/// <summary>
/// Encrypts Data Protection key material with the master keys. The associated data binds a value to this service's key
/// ring, so it cannot stand in for grain state or for another service's ring protected with the same master keys.
/// </summary>
public sealed class KeyRingEncryption(SecretProtector protector, string serviceId)
{
    private readonly string associatedData = AssociatedData.For(serviceId, "dataProtectionKeyRing", DataProtectionExtensions.ApplicationName, "keyMaterial");

    public string Protect(string plaintext) => protector.Protect(plaintext, associatedData);

    public string Unprotect(string protectedValue) => protector.Unprotect(protectedValue, associatedData);
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
