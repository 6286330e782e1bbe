using System.Net;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Extensions;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Ui;

/// <summary>
/// The operator UI under <c>/ui</c>: sign-in with a workspace API key, the connections list, a connect page and the
/// auth-version builder. The pages are static HTML whose scripts call the same <c>/v1</c> API with the session cookie.
/// </summary>
internal static class UiEndpoints
{
    public const string LoginPath = "/ui/login";
    public const string ConnectionsPath = "/ui/connections";
    private const string RedirectUriPlaceholder = "{{redirectUri}}";

    // Pages load only their own scripts and styles, and are never framed.
    private const string ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";

    private static readonly string[] PageNames = ["connections", "connect", "builder"];

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder endpoints)
    {
        // A person who opens the service's address gets the UI, not a 404.
        endpoints.MapGet("/", () => Results.Redirect(ConnectionsPath)).AllowAnonymous().ExcludeFromDescription();
        var ui = endpoints.MapGroup("/ui").WithTags("UI").AllowAnonymous().ExcludeFromDescription();
        ui.MapGet("/", () => Results.Redirect(ConnectionsPath));
        ui.MapGet("/login", (HttpContext http) => Page(http, "login"));
        ui.MapPost("/login", Login);
        ui.MapPost("/logout", Logout);
        foreach (var name in PageNames)
        {
            ui.MapGet("/" + name, async (HttpContext http, UiSessionCookie session, IOptions<ServerOptions> options) =>
                await session.ReadAsync(http.Request) is null
                    ? Results.Redirect(LoginPath + "?next=" + Uri.EscapeDataString(http.Request.GetEncodedPathAndQuery()))
                    : Page(http, name, options.Value.RedirectUri));
        }

        ui.MapGet("/assets/{fileName}", Asset);
        return endpoints;
    }

    /// <summary>Verifies the key with its grain (as the API does) and starts a session; the key is never echoed back.</summary>
    public static async Task<IResult> Login(HttpContext http, ApiKeyVerifier verifier, UiSessionCookie session, IOptions<ServerOptions> options)
    {
        if (!IsSameOrigin(http.Request, options.Value))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var next = LocalUiPath(form["next"].ToString()) ?? ConnectionsPath;
        if (!ApiKey.TryParse(form["apiKey"].ToString().Trim(), out var key))
        {
            return InvalidKey(next);
        }

        var verification = await verifier.VerifyAsync(key, http, retrying: false);
        if (verification.RetryAfter is { } wait)
        {
            return RateLimitingExtensions.RateLimited(http, wait);
        }

        if (verification.Key is null)
        {
            return InvalidKey(next);
        }

        await session.StartAsync(http.Response, key);
        return Results.Redirect(next);
    }

    private static IResult InvalidKey(string next) => Results.Redirect(LoginPath + "?error=invalid_key&next=" + Uri.EscapeDataString(next));

    /// <summary>Ends the session server-side: a copy of the cookie stops working too.</summary>
    public static async Task<IResult> Logout(HttpContext http, UiSessionCookie session, IOptions<ServerOptions> options)
    {
        if (!IsSameOrigin(http.Request, options.Value))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        await session.EndAsync(http);
        return Results.Redirect(LoginPath);
    }

    public static IResult Asset(string fileName, HttpContext http)
    {
        var extension = Path.GetExtension(fileName);
        if (extension is not (".js" or ".css") || UiAssets.Find(fileName) is not { } text)
        {
            return Results.NotFound();
        }

        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Text(text, UiAssets.ContentType(fileName));
    }

    private static IResult Page(HttpContext http, string name, Uri? redirectUri = null)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";

        // The connect page navigates to the provider; the page's query must not travel there as a Referer. Not
        // "no-referrer": that makes the browser send "Origin: null" on the pages' own form posts.
        headers["Referrer-Policy"] = "same-origin";
        var html = UiAssets.Find(name + ".html")!;
        if (redirectUri is not null)
        {
            html = html.Replace(RedirectUriPlaceholder, WebUtility.HtmlEncode(redirectUri.ToString()), StringComparison.Ordinal);
        }

        return Results.Content(html, UiAssets.ContentType(".html"));
    }

    /// <summary>
    /// Only paths of this UI are followed after sign-in, so the login form is no open redirect. A path starting with
    /// <c>/ui/</c> cannot name another host; its query may (e.g. a connect link's return URL).
    /// </summary>
    private static string? LocalUiPath(string next) =>
        next.StartsWith("/ui/", StringComparison.Ordinal) && !next.Any(char.IsControl) ? next : null;

    /// <summary>
    /// Refuses cross-site form posts (login CSRF); browsers send Origin on every form POST. Behind a proxy the public
    /// base URL is the origin the browser sees.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request, ServerOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        return string.IsNullOrEmpty(origin)
            || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
            || string.Equals(origin, options.RedirectUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}
