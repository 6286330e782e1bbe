using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Validates an ID token against the version's issuer and key set (<see cref="JwksCache"/>); a key id the cached set
/// lacks is retried once on a refetched set, which is how a provider's key rotation is picked up.
/// </summary>
internal sealed class IdTokenVerifier(JwksCache keys, TimeProvider time)
{
    /// <param name="authorization">A version for which <see cref="Domain.Connections.IdTokenPolicy.Verifiable"/> holds.</param>
    public async Task<IdTokenCheck> VerifyAsync(AuthorizationDefinition authorization, string idToken, string audience, string? nonce, string? subject)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var jwksUrl = authorization.JwksUrl ?? throw new ArgumentException("The version names no key set.", nameof(authorization));
        try
        {
            var check = await CheckAsync(await keys.GetAsync(jwksUrl));
            return check.KeyUnknown ? await CheckAsync(await keys.RefetchAsync(jwksUrl)) : check;
        }
        catch (JwksUnavailableException)
        {
            return IdTokenCheck.Failed(IdTokenFailures.KeysUnavailable);
        }

        Task<IdTokenCheck> CheckAsync(Microsoft.IdentityModel.Tokens.JsonWebKeySet set) =>
            IdTokenValidator.ValidateAsync(idToken, set, new IdTokenExpectations(authorization.Issuer!, audience, nonce, subject, time.GetUtcNow()));
    }
}
