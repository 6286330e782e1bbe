using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViaSocket.TestProvider;

/// <summary><c>POST /token</c>: the authorization code and refresh token grants, behind the fault switches.</summary>
internal static class TokenEndpoint
{
    public const string Path = "/token";

    /// <summary>nginx's "client closed request": the caller hung up before an answer was written.</summary>
    private const int ClientClosedRequest = 499;

    private const string IdTokenScope = "openid";

    public static void MapToken(this IEndpointRouteBuilder routes, ProviderRuntime runtime) =>
        routes.MapPost(Path, Task<IResult> (HttpContext http) => HandleAsync(http, runtime));

    private static async Task<IResult> HandleAsync(HttpContext http, ProviderRuntime runtime)
    {
        var receivedAt = runtime.Time.GetUtcNow();
        runtime.Counters.CountTokenRequest();
        using var inFlight = runtime.Counters.BeginTokenRequest();
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        var grantType = form?[OAuthWire.Parameters.GrantType].ToString();
        var authentication = form is null ? null : ClientAuthenticator.Authenticate(http.Request, form, runtime.Directory);

        // Grants are counted on arrival, so requests answered by injected faults show up too.
        if (grantType == OAuthWire.GrantTypes.AuthorizationCode)
        {
            runtime.Counters.CountAuthorizationCodeGrant();
        }

        var status = ClientClosedRequest;
        try
        {
            var result = await RespondAsync(http, runtime, form, grantType, authentication);
            status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            return result;
        }
        finally
        {
            if (grantType == OAuthWire.GrantTypes.RefreshToken)
            {
                runtime.Counters.CountRefreshGrant(new RefreshGrantRecord(receivedAt, authentication?.ClaimedClientId, status));
            }
        }
    }

    private static async Task<IResult> RespondAsync(
        HttpContext http,
        ProviderRuntime runtime,
        IFormCollection? form,
        string? grantType,
        ClientAuthentication? authentication)
    {
        if (runtime.Faults.OutageStatus is { } outageStatus)
        {
            return OAuthResults.Outage(outageStatus);
        }

        // Real time on purpose: the delay exists to trip the caller's HTTP timeout, which a fake clock does not drive.
        if (runtime.Faults.Delay is var delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, http.RequestAborted);
        }

        if (runtime.Faults.TakeFailure() is { } failure)
        {
            return OAuthResults.InjectedFailure(http.Response, failure);
        }

        if (form is null || authentication is null)
        {
            return OAuthResults.Error(http.Response, OAuthError.InvalidRequest("The body must be application/x-www-form-urlencoded."));
        }

        if (form.FirstOrDefault(pair => pair.Value.Count > 1).Key is { } repeated)
        {
            return OAuthResults.Error(http.Response, OAuthError.InvalidRequest($"The {repeated} parameter is repeated."));
        }

        if (authentication.Client is not { } client)
        {
            return OAuthResults.Error(http.Response, authentication.Error!);
        }

        var outcome = grantType switch
        {
            OAuthWire.GrantTypes.AuthorizationCode => RedeemCode(runtime, client, form),
            OAuthWire.GrantTypes.RefreshToken => Refresh(runtime, client, form),
            null or "" => GrantOutcome.Refused(OAuthError.InvalidRequest("The grant_type parameter is required.")),
            _ => GrantOutcome.Refused(new OAuthError(OAuthWire.Errors.UnsupportedGrantType, "Only authorization_code and refresh_token are supported.")),
        };

        if (outcome.Tokens is not { } tokens)
        {
            return OAuthResults.Error(http.Response, outcome.Error!);
        }

        if (runtime.Faults.TakeIssuedHold(client.ClientId) is { } hold)
        {
            await hold.HoldAsync(http.RequestAborted);
            if (hold.Drops)
            {
                http.Abort();
                return Results.StatusCode(TokenResponseHold.DroppedStatus);
            }
        }

        // OpenID Connect Core 3.1.3.3 and 12.2: an openid grant answers with an ID token, the code exchange's with the nonce.
        var idToken = tokens.Scopes.Contains(IdTokenScope, StringComparer.Ordinal)
            ? runtime.IdTokens.Issue(runtime.Issuer, client.ClientId, tokens.User, tokens.Nonce)
            : null;
        return OAuthResults.Tokens(http.Response, tokens, client, idToken);
    }

    private static GrantOutcome RedeemCode(ProviderRuntime runtime, TestClient client, IFormCollection form)
    {
        var code = Parameter(form, OAuthWire.Parameters.Code);
        return code is null
            ? GrantOutcome.Refused(OAuthError.InvalidRequest("The code parameter is required."))
            : runtime.Store.RedeemCode(
                client,
                code,
                Parameter(form, OAuthWire.Parameters.RedirectUri),
                Parameter(form, OAuthWire.Parameters.CodeVerifier));
    }

    private static GrantOutcome Refresh(ProviderRuntime runtime, TestClient client, IFormCollection form)
    {
        var refreshToken = Parameter(form, OAuthWire.Parameters.RefreshToken);
        if (refreshToken is null)
        {
            return GrantOutcome.Refused(OAuthError.InvalidRequest("The refresh_token parameter is required."));
        }

        var scope = Parameter(form, OAuthWire.Parameters.Scope);
        return runtime.Store.Refresh(client, refreshToken, scope is null ? null : ScopeList.Split(scope, client.ScopeSeparator));
    }

    private static string? Parameter(IFormCollection form, string name) =>
        form[name].ToString() is { Length: > 0 } value ? value : null;
}
