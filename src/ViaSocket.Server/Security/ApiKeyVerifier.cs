using ViaSocket.Server.Apis;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>
/// Verifies a presented API key: from this front-end's cache when it verified the key recently (no grain call), else
/// by its key grain, unless the client address failed too often or the same bad key was refused a moment ago.
/// </summary>
internal sealed class ApiKeyVerifier(IGrainFactory grains, ApiKeyVerificationCache cache, FailedAuthenticationLimiter failures, ClusterCallRetry retry)
{
    /// <param name="retrying">When set, the grain call is retried while its silo is being declared dead, within this request's budget.</param>
    public async ValueTask<ApiKeyVerification> VerifyAsync(ApiKey key, HttpContext http, bool retrying)
    {
        if (cache.FindVerified(key) is { } verified)
        {
            return new ApiKeyVerification(verified, RetryAfter: null);
        }

        var client = http.Connection.RemoteIpAddress;
        if (failures.RetryAfter(client) is { } wait)
        {
            return new ApiKeyVerification(null, wait);
        }

        if (!cache.IsRefused(key))
        {
            var version = cache.Version;
            var identity = retrying
                ? await retry.RunAsync(http, (Grains: grains, Key: key), static s => new ValueTask<ApiKeyIdentity?>(AskGrainAsync(s.Grains, s.Key)))
                : await AskGrainAsync(grains, key);
            if (identity is not null)
            {
                return new ApiKeyVerification(cache.RememberVerified(key, identity, version), RetryAfter: null);
            }

            cache.RememberRefused(key);
        }

        failures.RecordFailure(client);
        return new ApiKeyVerification(null, RetryAfter: null);
    }

    private static Task<ApiKeyIdentity?> AskGrainAsync(IGrainFactory grains, ApiKey key) => grains.GetGrain<IApiKeyGrain>(key.KeyId).VerifyAsync(key.SecretHash());
}

/// <param name="Key">The verified key; null when refused.</param>
/// <param name="RetryAfter">Set when refused because the client address failed too often.</param>
internal readonly record struct ApiKeyVerification(VerifiedKey? Key, TimeSpan? RetryAfter);
