using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;
using ViaSocket.Domain.Security;
using ViaSocket.Security;

namespace ViaSocket.Grains.Security;

/// <summary>
/// Runs on any silo (a stateless worker, local to the caller when it is a silo). The associated data binds a value to
/// this service's key ring, so it can stand in neither for grain state nor for another service's ring.
/// </summary>
[StatelessWorker]
internal sealed class KeyRingProtectorGrain(SecretProtector protector, IOptions<ClusterOptions> cluster) : Grain, IKeyRingProtectorGrain
{
    private readonly string associatedData = AssociatedData.For(cluster.Value.ServiceId, "dataProtectionKeyRing", "keyRing", "keyMaterial");

    public Task<string> ProtectAsync(string keyMaterialXml) => Task.FromResult(protector.Protect(keyMaterialXml, associatedData));

    public Task<string> UnprotectAsync(string protectedValue) => Task.FromResult(protector.Unprotect(protectedValue, associatedData));
}
