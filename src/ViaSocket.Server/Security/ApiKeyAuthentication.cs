using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Ui;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer vso_...</c> workspace API keys against their key grain; without that header,
/// the operator UI's session cookie, but only on the UI's own script calls (<see cref="UiSessionCookie.RequestHeader"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    IMemoryCache cache,
    UiSessionCookie uiSession,
    ClusterCallRetry retry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // A verified key is trusted for this long without asking its grain again: the hot credential path stays cheap,
    // and a revoked key stops working within this window.
    private static readonly TimeSpan VerifiedKeyLifetime = TimeSpan.FromSeconds(30);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            // The cookie alone is not enough: a cross-site form would carry it too, but cannot add the header.
            return UiSessionCookie.IsUiRequest(Request) && uiSession.Read(Request) is { } sessionKey
                ? await AuthenticateAsync(sessionKey)
                : AuthenticateResult.NoResult();
        }

        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || !ApiKey.TryParse(header[bearer.Length..].Trim(), out var key))
        {
            return AuthenticateResult.Fail("The Authorization header does not carry a workspace API key.");
        }

        return await AuthenticateAsync(key);
    }

    /// <summary>The key's identity if its grain knows it and it is not revoked, cached for a short while.</summary>
    public static async Task<ApiKeyIdentity?> VerifyAsync(ApiKey key, IGrainFactory grains, IMemoryCache cache) =>
        (await VerifyKeyAsync(key, grains, cache, retrying: null))?.Identity;

    /// <param name="retrying">When set, the grain call is retried while its silo is being declared dead, within the request's budget.</param>
    private static async Task<VerifiedKey?> VerifyKeyAsync(ApiKey key, IGrainFactory grains, IMemoryCache cache, (ClusterCallRetry Retry, HttpContext Http)? retrying)
    {
        // Keyed by the presented secret itself, so a cache hit costs a dictionary lookup and no hashing.
        var cacheKey = (key.KeyId, key.Secret);
        if (!cache.TryGetValue(cacheKey, out VerifiedKey? verified))
        {
            var identity = retrying is (var retry, var http)
                ? await retry.RunAsync(http, (Grains: grains, Key: key), static s => new ValueTask<ApiKeyIdentity?>(AskGrainAsync(s.Grains, s.Key)))
                : await AskGrainAsync(grains, key);
            if (identity is null)
            {
                return null;
            }

            verified = new VerifiedKey(identity, Principal(identity));
            cache.Set(cacheKey, verified, VerifiedKeyLifetime);
        }

        return verified;
    }

    private static Task<ApiKeyIdentity?> AskGrainAsync(IGrainFactory grains, ApiKey key) => grains.GetGrain<IApiKeyGrain>(key.KeyId).VerifyAsync(key.SecretHash());

    // Authentication runs before the endpoint's retry: a key whose grain lived on a silo that just died is asked again
    // once the cluster has declared it dead, within the same request's budget, instead of answering 503 at once.
    private async Task<AuthenticateResult> AuthenticateAsync(ApiKey key) =>
        await VerifyKeyAsync(key, grains, cache, (retry, Context)) is { } verified
            ? AuthenticateResult.Success(new AuthenticationTicket(verified.Principal, SchemeName))
            : AuthenticateResult.Fail("Unknown or revoked API key.");

    /// <summary>Built once per verified key: the principal is read-only after authentication, so requests share it.</summary>
    private static ClaimsPrincipal Principal(ApiKeyIdentity identity)
    {
        var claims = new List<Claim> { new(ApiKeyClaims.WorkspaceId, identity.WorkspaceId), new(ApiKeyClaims.KeyId, identity.KeyId) };
        claims.AddRange(identity.Scopes.Select(scope => new Claim(ApiKeyClaims.Scope, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    private sealed record VerifiedKey(ApiKeyIdentity Identity, ClaimsPrincipal Principal);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, ApiErrorCodes.Unauthenticated, "A valid workspace API key is required (Authorization: Bearer vso_...).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, ApiErrorCodes.Forbidden, "This API key lacks the scope this operation needs.");

    private Task WriteProblemAsync(int status, string code, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Results.Problem(Problems.Create(status, code, detail)).ExecuteAsync(Context);
    }
}

public static class ApiKeyClaims
{
    public const string WorkspaceId = "workspace";
    public const string KeyId = "key_id";
    public const string Scope = "scope";

    /// <summary>The authenticated caller's workspace; every lookup is scoped by it.</summary>
    public static string WorkspaceIdOf(this ClaimsPrincipal user) =>
        user.FindFirstValue(WorkspaceId) ?? throw new InvalidOperationException("The endpoint requires an authenticated workspace API key.");
}

internal static class ApiKeyAuthenticationExtensions
{
    public static void AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<UiSessionCookie>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddScopePolicies();
    }

    private static void AddScopePolicies(this AuthorizationBuilder builder)
    {
        foreach (var scope in ApiKeyScopes.All)
        {
            builder.AddPolicy(scope, policy => policy.RequireClaim(ApiKeyClaims.Scope, scope));
        }
    }
}
