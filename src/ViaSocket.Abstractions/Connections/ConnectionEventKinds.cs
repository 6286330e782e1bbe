namespace ViaSocket.Connections;

/// <summary>Kinds of <see cref="ConnectionEvent"/> entries in a connection's history and of the lifecycle events it publishes (wire values).</summary>
public static class ConnectionEventKinds
{
    public const string Created = "created";
    public const string Connected = "connected";
    public const string Reconnected = "reconnected";
    public const string AuthorizationFailed = "authorization_failed";
    public const string Tested = "tested";
    public const string TestFailed = "test_failed";
    public const string Refreshed = "refreshed";
    public const string RefreshFailed = "refresh_failed";
    public const string Degraded = "degraded";
    public const string Recovered = "recovered";
    public const string ReauthRequired = "reauth_required";
    public const string Revoked = "revoked";

    /// <summary>The refresh token dies soon (detail: when, ISO 8601): the user should reconnect before it does.</summary>
    public const string ReconnectSoon = "reconnect_soon";

    /// <summary>The kinds published to streams and webhooks; routine ones stay in the history only.</summary>
    public static IReadOnlySet<string> Published { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Created, Connected, Reconnected, AuthorizationFailed, RefreshFailed, Degraded, Recovered, ReauthRequired, Revoked, ReconnectSoon,
    };

    /// <summary>The routine kinds: a run of them is one history entry, the latest.</summary>
    public static IReadOnlySet<string> Routine { get; } = new HashSet<string>(StringComparer.Ordinal) { Refreshed, Tested };
}
