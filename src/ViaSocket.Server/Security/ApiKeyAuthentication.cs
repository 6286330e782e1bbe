using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Extensions;
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
    ApiKeyVerifier verifier,
    UiSessionCookie uiSession) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // Set when the key was refused unverified because the client address failed too often: the challenge answers 429.
    private TimeSpan? retryAfter;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            // The cookie alone is not enough: a cross-site form would carry it too, but cannot add the header.
            return UiSessionCookie.IsUiRequest(Request) && await uiSession.ReadAsync(Request) is { } sessionKey
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

    // Authentication runs before the endpoint's retry: a key whose grain lived on a silo that just died is asked again
    // once the cluster has declared it dead, within the same request's budget, instead of answering 503 at once.
    private async Task<AuthenticateResult> AuthenticateAsync(ApiKey key)
    {
        var verification = await verifier.VerifyAsync(key, Context, retrying: true);
        retryAfter = verification.RetryAfter;
        return verification.Key is { } verified
            ? AuthenticateResult.Success(new AuthenticationTicket(verified.Principal, SchemeName))
            : AuthenticateResult.Fail("Unknown or revoked API key.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        retryAfter is { } wait
            ? RateLimitingExtensions.WriteRateLimitedAsync(Context, wait)
            : WriteProblemAsync(StatusCodes.Status401Unauthorized, ApiErrorCodes.Unauthenticated, "A valid workspace API key is required (Authorization: Bearer vso_...).");

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

    /// <summary>The scopes of the authenticated caller's key.</summary>
    public static IReadOnlyList<string> ScopesOf(this ClaimsPrincipal user) => [.. user.FindAll(Scope).Select(claim => claim.Value)];
}

internal static class ApiKeyAuthenticationExtensions
{
    public static void AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<UiSessionCookie>();
        services.AddSingleton<ApiKeyVerificationCache>();
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddSingleton<ApiKeyVerifier>();
        services.AddHostedService(provider => provider.GetRequiredService<ApiKeyChangeSubscription>());
        services.AddSingleton<ApiKeyChangeSubscription>();
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
