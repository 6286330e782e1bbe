namespace ViaSocket.Security;

/// <summary>
/// Encrypts the shared ASP.NET Data Protection key ring (UI sessions) with the service's master keys, on a silo, so
/// front-end-only processes can use the ring without ever holding the master keys. Key: always 0.
/// </summary>
public interface IKeyRingProtectorGrain : IGrainWithIntegerKey
{
    Task<string> ProtectAsync(string keyMaterialXml);

    Task<string> UnprotectAsync(string protectedValue);
}
