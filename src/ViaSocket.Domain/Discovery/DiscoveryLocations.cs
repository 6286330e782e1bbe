using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Discovery;

/// <summary>Where an issuer's metadata document is published.</summary>
public static class DiscoveryLocations
{
    public const string OAuthWellKnown = "/.well-known/oauth-authorization-server";
    public const string OpenIdWellKnown = "/.well-known/openid-configuration";

    /// <summary>
    /// The RFC 8414 section 3.1 location (well-known segment inserted before the issuer's path), then the OpenID
    /// Connect one (appended to it); null with <paramref name="problem"/> when <paramref name="issuer"/> is not an
    /// absolute https URL (http only for loopback hosts) without user info, query or fragment.
    /// </summary>
    public static IReadOnlyList<Uri>? For(string? issuer, out string? problem)
    {
        if (issuer is null || !FieldFormatRules.IsPlainHttpsUrl(issuer))
        {
            problem = "The issuer must be an absolute https URL (http only for loopback hosts) without user info, query or fragment, e.g. https://login.example.com/tenant.";
            return null;
        }

        problem = null;
        var uri = new Uri(issuer);
        var origin = uri.GetLeftPart(UriPartial.Authority);
        var path = uri.AbsolutePath.TrimEnd('/');
        return [new Uri(origin + OAuthWellKnown + path), new Uri(origin + path + OpenIdWellKnown)];
    }
}
