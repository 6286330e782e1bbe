using ViaSocket.Domain.Workspaces;

namespace ViaSocket.Domain.Credentials;

/// <summary>
/// A version's <c>originHosts</c>: the hosts a value may name when it supplies a URL's whole origin (a Salesforce
/// <c>instance_url</c> from the token response). Entries are written as return-URL host patterns
/// (<see cref="ReturnUrlHostPatterns"/>): <c>*.my.salesforce.com</c> is https on 443 at any depth below that name,
/// <c>http://127.0.0.1:8080</c> names scheme and port too. No entries accept any host.
/// </summary>
public sealed class OriginHostPolicy
{
    private readonly string[] patterns;
    private readonly bool declared;

    public OriginHostPolicy(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        declared = list.Count > 0;
        patterns = [.. list.Select(entry => ReturnUrlHostPatterns.Normalize(entry).Pattern).OfType<string>()];
    }

    /// <summary>Whether <paramref name="url"/>'s scheme, host and port are allowed; declared entries that are all invalid allow nothing.</summary>
    public bool Allows(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return !declared || ReturnUrlHostPatterns.Allows(patterns, url);
    }
}
