using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Ui;

/// <summary>
/// The operator UI's session: a random session id and the workspace API key the operator signed in with, protected with
/// ASP.NET Data Protection in an HTTP-only, SameSite=Strict cookie. The key never reaches page source or script. The
/// cookie counts only while the session's grain says it is active, so signing out ends every copy of it. The API
/// accepts the cookie only on requests that also carry <see cref="RequestHeader"/>, which cross-site forms cannot send.
/// </summary>
internal sealed class UiSessionCookie(IDataProtectionProvider dataProtection, IGrainFactory grains, TimeProvider time)
{
    public const string CookieName = "viasocket_ui";
    public const string RequestHeader = "X-ViaSocket-UI";

    /// <summary>A session ends after this long even if the browser keeps the cookie.</summary>
    public static readonly TimeSpan Lifetime = UiSessions.Lifetime;

    private const int SessionIdBytes = 16;
    private const char Separator = ' ';

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("ViaSocket.Server.Ui.SessionCookie.v2").ToTimeLimitedDataProtector();

    /// <summary>True when the request is one of the UI's own script calls (they add the header).</summary>
    public static bool IsUiRequest(HttpRequest request) => request.Headers[RequestHeader] == "1";

    /// <summary>Starts a session (stored server-side) for <paramref name="key"/> and sets its cookie.</summary>
    public async Task StartAsync(HttpResponse response, ApiKey key)
    {
        var expiresAt = time.GetUtcNow() + Lifetime;
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SessionIdBytes));
        await grains.GetGrain<IUiSessionGrain>(sessionId).StartAsync(expiresAt);
        var value = protector.Protect(sessionId + Separator + key.Reveal(), expiresAt);
        response.Cookies.Append(CookieName, value, Options(response.HttpContext.Request, expiresAt));
    }

    /// <summary>Ends the request's session server-side, if it carries one, and clears the cookie.</summary>
    public async Task EndAsync(HttpContext http)
    {
        if (Unprotect(http.Request) is var (sessionId, _))
        {
            await grains.GetGrain<IUiSessionGrain>(sessionId).EndAsync();
        }

        http.Response.Cookies.Delete(CookieName, Options(http.Request, expiresAt: null));
    }

    /// <summary>
    /// The signed-in key, or null when there is no cookie, it is expired, tampered with or from another key ring, or
    /// its session was ended.
    /// </summary>
    public async Task<ApiKey?> ReadAsync(HttpRequest request) =>
        Unprotect(request) is var (sessionId, key) && await grains.GetGrain<IUiSessionGrain>(sessionId).IsActiveAsync() ? key : null;

    private (string SessionId, ApiKey Key)? Unprotect(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        string payload;
        try
        {
            payload = protector.Unprotect(value, out _);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var separator = payload.IndexOf(Separator, StringComparison.Ordinal);
        return separator > 0 && ApiKey.TryParse(payload[(separator + 1)..], out var key) ? (payload[..separator], key) : null;
    }

    private static CookieOptions Options(HttpRequest request, DateTimeOffset? expiresAt) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expiresAt,
        IsEssential = true,
    };
}
