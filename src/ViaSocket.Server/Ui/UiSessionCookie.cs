using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Ui;

/// <summary>
/// The operator UI's session: the workspace API key the operator signed in with, protected with ASP.NET Data Protection
/// in an HTTP-only, SameSite=Strict cookie. The key never reaches page source or script. The API accepts the cookie only
/// on requests that also carry <see cref="RequestHeader"/>, which cross-site forms cannot send.
/// </summary>
internal sealed class UiSessionCookie(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string CookieName = "viasocket_ui";
    public const string RequestHeader = "X-ViaSocket-UI";

    /// <summary>A session ends after this long even if the browser keeps the cookie.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("ViaSocket.Server.Ui.SessionCookie.v1").ToTimeLimitedDataProtector();

    /// <summary>True when the request is one of the UI's own script calls (they add the header).</summary>
    public static bool IsUiRequest(HttpRequest request) => request.Headers[RequestHeader] == "1";

    public void Write(HttpResponse response, ApiKey key)
    {
        var expiresAt = time.GetUtcNow() + Lifetime;
        response.Cookies.Append(CookieName, protector.Protect(key.Reveal(), expiresAt), Options(response.HttpContext.Request, expiresAt));
    }

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(CookieName, Options(response.HttpContext.Request, expiresAt: null));

    /// <summary>The signed-in key, or null when there is no cookie or it is expired, tampered with or from another key ring.</summary>
    public ApiKey? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return ApiKey.TryParse(protector.Unprotect(value, out _), out var key) ? key : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
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
