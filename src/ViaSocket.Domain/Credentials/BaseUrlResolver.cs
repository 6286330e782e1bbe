namespace ViaSocket.Domain.Credentials;

/// <summary>
/// Resolves a relative request URL (<c>/query?minorversion=75</c>) against a connection's base URL
/// (<c>https://quickbooks.api.intuit.com/v3/company/123</c>) by appending it: the result stays below the base URL,
/// so <c>..</c>, <c>//other.host</c> or an encoded separator can never leave it.
/// </summary>
public static class BaseUrlResolver
{
    /// <summary>Whether <paramref name="url"/> is written as a path to resolve (it starts with one <c>/</c>), not as an absolute URL.</summary>
    public static bool IsRelative(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal);
    }

    /// <summary>The absolute URL, or the reason there is none.</summary>
    /// <param name="baseUrl">The connection's base URL, null when its version declares none.</param>
    public static (Uri? Url, string? Problem) Resolve(string? baseUrl, string relativeUrl)
    {
        ArgumentNullException.ThrowIfNull(relativeUrl);
        if (baseUrl is null)
        {
            return (null, "A relative url needs a base URL, and this connection's auth version declares none; send an absolute URL.");
        }

        if (!IsRelative(relativeUrl) || relativeUrl.AsSpan().IndexOfAny('\\', '#') >= 0 || relativeUrl.Any(char.IsControl))
        {
            return (null, "A relative url is a path starting with a single '/', without '\\', '#' or control characters.");
        }

        return Uri.TryCreate(baseUrl.TrimEnd('/') + relativeUrl, UriKind.Absolute, out var url) && new AllowedUrlPolicy([baseUrl]).IsAllowed(url)
            ? (url, null)
            : (null, "The relative url does not stay below the connection's base URL.");
    }
}
