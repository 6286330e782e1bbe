using ViaSocket.Connections;
using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>What a webhook endpoint may be: its URL and its event filter.</summary>
public static class WebhookEndpointRules
{
    private const int MaxEventFilterEntries = 50;

    /// <summary>Every kind a connection publishes: the one list in <see cref="ConnectionEventKinds.Published"/>.</summary>
    public static IReadOnlySet<string> KnownEventKinds => ConnectionEventKinds.Published;

    /// <summary>
    /// Null when <paramref name="url"/> is an absolute https URL (http only for loopback hosts, for local receivers)
    /// without user info or fragment; otherwise why not. Where the host resolves to is checked at send time by the
    /// guarded client, so a public name cannot smuggle a request into the private network.
    /// </summary>
    public static string? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > WebhookLimits.MaxUrlLength)
        {
            return $"url is required and at most {WebhookLimits.MaxUrlLength} characters long.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return "url must be an absolute https URL.";
        }

        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            return "url must use https; http is accepted only for loopback hosts.";
        }

        // Credentials in the URL would be stored and shown in listings; a fragment is never sent.
        return uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 ? "url must not contain user info or a fragment." : null;
    }

    /// <summary>The distinct kinds of <paramref name="events"/> in their order, or the problem when one is unknown.</summary>
    public static (IReadOnlyList<string> Kinds, string? Problem) NormalizeEvents(IReadOnlyList<string>? events)
    {
        if (events is null || events.Count == 0)
        {
            return ([], null);
        }

        if (events.Count > MaxEventFilterEntries)
        {
            return ([], $"events may list at most {MaxEventFilterEntries} kinds.");
        }

        var unknown = events.Where(kind => kind is null || !KnownEventKinds.Contains(kind)).ToList();
        return unknown.Count > 0
            ? ([], $"Unknown event kinds: {string.Join(", ", unknown.Select(kind => $"'{kind}'"))}. Known: {string.Join(", ", KnownEventKinds.Order(StringComparer.Ordinal))}.")
            : ([.. events.Distinct(StringComparer.Ordinal)], null);
    }
}
