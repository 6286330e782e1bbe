namespace ViaSocket.Domain.Credentials;

/// <summary>
/// Decides whether credentials may be sent to a URL, given a version's <c>allowedUrls</c>: same scheme,
/// same host (case-insensitive, IDN-normalized), same effective port, and a path under the allowed path
/// prefix on segment boundaries (<c>https://api.x.com/v1</c> allows <c>/v1</c> and <c>/v1/users</c>, not
/// <c>/v10</c>). Fails closed: URLs with user info, ambiguous encoded separators or dot segments escaping
/// the root are refused, and invalid allowed entries allow nothing.
/// </summary>
public sealed class AllowedUrlPolicy
{
    private readonly AllowedBase[] bases;

    public AllowedUrlPolicy(IEnumerable<string> allowedUrls)
    {
        ArgumentNullException.ThrowIfNull(allowedUrls);
        bases = [.. allowedUrls.Select(TryCreateBase).OfType<AllowedBase>()];
    }

    /// <summary>The marker an entry may end with to say "and everything below" (<c>https://x.zendesk.com/api/**</c>); a prefix means that anyway.</summary>
    public const string SubtreeSuffix = "/**";

    /// <summary>The entry as the prefix it allows: without a trailing <see cref="SubtreeSuffix"/>.</summary>
    public static string Prefix(string allowedUrl)
    {
        ArgumentNullException.ThrowIfNull(allowedUrl);
        return allowedUrl.EndsWith(SubtreeSuffix, StringComparison.Ordinal) ? allowedUrl[..^SubtreeSuffix.Length] : allowedUrl;
    }

    public bool IsAllowed(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && IsAllowed(uri);

    public bool IsAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || !IsHttp(url) || !string.IsNullOrEmpty(url.UserInfo)
            || NormalizeSegments(url.AbsolutePath) is not { } segments)
        {
            return false;
        }

        var host = NormalizeHost(url);
        foreach (var allowed in bases)
        {
            if (string.Equals(allowed.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(allowed.Host, host, StringComparison.Ordinal)
                && allowed.Port == url.Port
                && StartsWithSegments(segments, allowed.Segments))
            {
                return true;
            }
        }

        return false;
    }

    private static AllowedBase? TryCreateBase(string allowedUrl)
    {
        if (!Uri.TryCreate(allowedUrl, UriKind.Absolute, out var uri) || !IsHttp(uri) || !string.IsNullOrEmpty(uri.UserInfo)
            || string.IsNullOrEmpty(uri.Host) || NormalizeSegments(uri.AbsolutePath) is not { } segments)
        {
            return null;
        }

        return new AllowedBase(uri.Scheme, NormalizeHost(uri), uri.Port, segments);
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp;

    /// <summary>Punycode, lower case, without a trailing root dot.</summary>
    private static string NormalizeHost(Uri uri) => uri.IdnHost.TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// Decoded path segments with <c>.</c> and <c>..</c> resolved (also when percent-encoded), without empty
    /// segments; null when the path is ambiguous (an encoded <c>/</c> or <c>\</c>) or climbs above the root.
    /// </summary>
    private static string[]? NormalizeSegments(string escapedPath)
    {
        var result = new List<string>();
        foreach (var raw in escapedPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw);
            if (segment.AsSpan().IndexOfAny('/', '\\') >= 0)
            {
                return null;
            }

            switch (segment)
            {
                case ".":
                    continue;
                case "..":
                    if (result.Count == 0)
                    {
                        return null;
                    }

                    result.RemoveAt(result.Count - 1);
                    continue;
                default:
                    result.Add(segment);
                    break;
            }
        }

        return [.. result];
    }

    private static bool StartsWithSegments(string[] path, string[] prefix) =>
        path.Length >= prefix.Length && path.AsSpan(0, prefix.Length).SequenceEqual(prefix);

    private sealed record AllowedBase(string Scheme, string Host, int Port, string[] Segments);
}
