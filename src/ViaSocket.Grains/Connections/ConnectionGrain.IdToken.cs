using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Grains.Connections;

/// <summary>ID tokens (docs/id-tokens.md): validated at connect and on refresh, their claims at <c>context.authData.idtoken</c>.</summary>
internal sealed partial class ConnectionGrain
{
    /// <summary>
    /// Validates the code exchange's ID token and puts its claims into the context's authData; an error fails the attempt.
    /// An attempt that sent no nonce (no <c>openid</c>) or a version that names no issuer and key set checks nothing and
    /// exposes nothing: claims nobody validated must not name the account.
    /// </summary>
    private async Task<ConnectionError?> AcceptIdTokenAsync(CompiledAuthVersion version, AuthorizationAttempt attempt, JsonObject context, JsonNode? tokenResult)
    {
        var authorization = version.Definition.Authorization!;
        if (attempt.Nonce is not { } nonce || !IdTokenPolicy.Verifiable(authorization))
        {
            return null;
        }

        // OpenID Connect Core 3.1.3.3: the answer to an openid request carries an ID token.
        var check = IdTokenPolicy.IdTokenOf(tokenResult) is { } idToken
            ? await idTokens.VerifyAsync(authorization, idToken, context[ContextKeys.ClientId]!.GetValue<string>(), nonce, subject: null)
            : IdTokenCheck.Failed(IdTokenFailures.Missing);
        if (!check.IsValid)
        {
            return IdTokenError(check.Failure!);
        }

        context[ContextKeys.AuthData]![AuthDataKeys.IdToken] = check.Claims;
        return null;
    }

    /// <summary>
    /// OpenID Connect Core 12.2: a refresh response's ID token is validated like the first, without a nonce, and must
    /// keep the connection's <c>sub</c>. Returns its claims, nothing (no ID token, no claims to renew, or the key set is
    /// unreachable: the old claims stay), or the error that makes the connection need reauthorization.
    /// </summary>
    private async Task<(JsonObject? Claims, ConnectionError? Error)> RefreshedIdTokenAsync(CompiledAuthVersion version, JsonObject authData, JsonNode? refreshResult, OAuthApp? app)
    {
        var authorization = version.Definition.Authorization!;
        if (IdTokenPolicy.IdTokenOf(refreshResult) is not { } idToken || !IdTokenPolicy.Verifiable(authorization)
            || authData[AuthDataKeys.IdToken] is not JsonObject previous || previous["sub"] is not JsonValue subject)
        {
            return (null, null);
        }

        var check = await idTokens.VerifyAsync(authorization, idToken, app?.ClientId ?? authorization.ClientId!, nonce: null, subject.ToString());
        return check switch
        {
            { IsValid: true } => (check.Claims, null),
            { Failure: IdTokenFailures.KeysUnavailable } => (null, null),
            _ => (null, IdTokenError(check.Failure!)),
        };
    }

    private static ConnectionError IdTokenError(string failure) =>
        new(ConnectionErrorCodes.IdTokenInvalid, $"The ID token failed validation: {failure}.");
}
