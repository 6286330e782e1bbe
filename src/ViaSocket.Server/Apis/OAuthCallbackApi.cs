using System.Text.Encodings.Web;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Apis;

/// <summary>
/// <c>GET /oauth/callback</c>: the redirect URI integration authors register at providers. The one unauthenticated
/// route; it is guarded by the single-use <c>state</c>.
/// </summary>
internal static class OAuthCallbackApi
{
    public const string CallbackPath = "/oauth/callback";
    private const int MaxParameters = 50;
    private const int MaxParameterLength = 4096;

    public static IEndpointRouteBuilder MapOAuthCallback(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CallbackPath, HandleCallback).WithTags("OAuth").AllowAnonymous().RequireRateLimiting(RateLimitingExtensions.CallbackPolicy)
            .WithName("OAuthCallback").WithSummary("The redirect URI registered at providers: completes a connection and redirects to its return URL");
        return endpoints;
    }

    public static async Task<IResult> HandleCallback(HttpContext http, IGrainFactory grains)
    {
        // The URL carries a code; keep it out of caches and out of Referer headers of whatever the user opens next.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

        // The span names the connection and the outcome only; the query (code, state) stays out of it.
        using var activity = ViaSocketActivities.Source.StartActivity(ViaSocketActivities.Names.Callback);
        var query = http.Request.Query;
        var state = query["state"].ToString();
        if (string.IsNullOrEmpty(state) || state.Length > 512 || query.Count > MaxParameters || query.Any(q => q.Key.Length > 100 || q.Value.Count > 1 || q.Value.ToString().Length > MaxParameterLength))
        {
            activity.SetOutcome("invalid_callback");
            return CallbackPages.Error(StatusCodes.Status400BadRequest, "invalid_callback", "This sign-in link is not valid.");
        }

        var pending = await grains.GetGrain<IPendingAuthorizationGrain>(OAuthSecrets.StateKey(state)).ConsumeAsync();
        if (pending is null)
        {
            activity.SetOutcome("invalid_state");
            return CallbackPages.Error(StatusCodes.Status400BadRequest, "invalid_state", "This sign-in link is unknown, expired or was already used. Start connecting again.");
        }

        activity?.SetTag(ViaSocketActivities.Attributes.WorkspaceId, pending.WorkspaceId);
        activity?.SetTag(ViaSocketActivities.Attributes.ConnectionId, pending.ConnectionId);
        var parameters = query.Where(q => q.Key != "state").ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var outcome = await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(pending.WorkspaceId, pending.ConnectionId))
            .CompleteAuthorizationAsync(new AuthorizationCallback(pending.AttemptId, pending.CodeVerifier, parameters));
        activity.SetOutcome(outcome.Error?.Code);
        activity?.SetTag(ViaSocketActivities.Attributes.ConnectionStatus, outcome.Status.ToWireName());

        if (pending.ReturnUrl is { } returnUrl)
        {
            var target = QueryHelpers.AddQueryString(returnUrl, Outcome(outcome));
            return Results.Redirect(target);
        }

        return outcome.Succeeded
            ? CallbackPages.Success(outcome)
            : CallbackPages.Error(StatusCodes.Status400BadRequest, outcome.Error!.Code, outcome.Error.Message);
    }

    private static Dictionary<string, string?> Outcome(AuthorizationOutcome outcome)
    {
        var values = new Dictionary<string, string?>
        {
            ["connectionId"] = outcome.ConnectionId,
            ["status"] = outcome.Succeeded ? "success" : "error",
        };
        if (outcome.Error is { } error)
        {
            values["error"] = error.Code;
        }

        return values;
    }
}

/// <summary>The small HTML pages the callback shows when there is no return URL. Everything echoed is encoded.</summary>
internal static class CallbackPages
{
    public static IResult Success(AuthorizationOutcome outcome) =>
        Page(StatusCodes.Status200OK, "Connected", $"Your account {Encode(outcome.Label ?? "")} is connected. You can close this window.", "success");

    public static IResult Error(int status, string code, string message) =>
        Page(status, "Could not connect", $"{Encode(message)} <small>({Encode(code)})</small>", "error");

    private static IResult Page(int status, string title, string bodyHtml, string outcome)
    {
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Encode(title)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}h1{font-size:1.4rem}</style></head>
            <body data-outcome="{{outcome}}"><h1>{{Encode(title)}}</h1><p>{{bodyHtml}}</p></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
