using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>
/// This front-end's memory of key verifications, so that the hot credentials path asks no grain: keys its grain
/// verified (dropped at once when the cluster announces a revocation, see <see cref="ApiKeyChangeSubscription"/>) and
/// presented keys its grain refused (bounded, short-lived), so that repeating a bad key costs no grain call.
/// </summary>
internal sealed class ApiKeyVerificationCache : IDisposable
{
    /// <summary>
    /// A verified key is trusted for this long without asking its grain again. Revocations reach the cache at once;
    /// this only bounds a revocation whose announcement was lost (the change hub moving to another silo).
    /// </summary>
    public static readonly TimeSpan VerifiedLifetime = TimeSpan.FromSeconds(30);

    /// <summary>A refused key is refused without asking its grain for this long.</summary>
    public static readonly TimeSpan RefusedLifetime = TimeSpan.FromSeconds(30);

    /// <summary>At most this many refused keys are remembered; past it, new ones are not (the rate limit still applies).</summary>
    public const int RefusedCapacity = 10_000;

    // Keyed by key id, so a revocation (which names only the id) finds the entry.
    private readonly MemoryCache verified = new(new MemoryCacheOptions());

    // Keyed by the presented id and secret: a wrong secret for a real key id must not lock that key out.
    private readonly MemoryCache refused = new(new MemoryCacheOptions { SizeLimit = RefusedCapacity });

    // Counts announced changes: a verification that was under way while a key changed is not cached.
    private long changes;

    /// <summary>Read before asking a grain; pass to <see cref="RememberVerified"/>.</summary>
    public long Version => Interlocked.Read(ref changes);

    public VerifiedKey? FindVerified(ApiKey key) =>
        verified.TryGetValue(key.KeyId, out VerifiedKey? entry) && SameSecret(entry!.Secret, key.Secret) ? entry : null;

    public bool IsRefused(ApiKey key) => refused.TryGetValue((key.KeyId, key.Secret), out _);

    public VerifiedKey RememberVerified(ApiKey key, ApiKeyIdentity identity, long versionBeforeAsking)
    {
        var entry = new VerifiedKey(key.Secret, identity, Principal(identity));
        if (Version == versionBeforeAsking)
        {
            verified.Set(key.KeyId, entry, VerifiedLifetime);
        }

        return entry;
    }

    public void RememberRefused(ApiKey key) =>
        refused.Set((key.KeyId, key.Secret), true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = RefusedLifetime });

    /// <summary>The cluster announced that <paramref name="keyId"/> changed (it was revoked).</summary>
    public void Forget(string keyId)
    {
        Interlocked.Increment(ref changes);
        verified.Remove(keyId);
    }

    public void Dispose()
    {
        verified.Dispose();
        refused.Dispose();
    }

    private static bool SameSecret(string cached, string presented) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(cached.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan()));

    /// <summary>Built once per verified key: the principal is read-only after authentication, so requests share it.</summary>
    private static ClaimsPrincipal Principal(ApiKeyIdentity identity)
    {
        var claims = new List<Claim> { new(ApiKeyClaims.WorkspaceId, identity.WorkspaceId), new(ApiKeyClaims.KeyId, identity.KeyId) };
        claims.AddRange(identity.Scopes.Select(scope => new Claim(ApiKeyClaims.Scope, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }
}

/// <param name="Secret">The secret that was verified: a cache hit compares it with the presented one.</param>
internal sealed record VerifiedKey(string Secret, ApiKeyIdentity Identity, ClaimsPrincipal Principal);
