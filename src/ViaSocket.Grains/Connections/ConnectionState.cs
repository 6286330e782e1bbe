using System.Text;
using ViaSocket.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>Everything a connection persists. Members marked sensitive are token material or user secrets.</summary>
[GenerateSerializer]
internal sealed class ConnectionState
{
    [Id(0)] public string WorkspaceId { get; set; } = "";
    [Id(1)] public string OwnerId { get; set; } = "";
    [Id(2)] public string PluginId { get; set; } = "";
    [Id(3)] public string VersionId { get; set; } = "";
    [Id(4)] public ConnectionStatus Status { get; set; }

    /// <summary>
    /// Sensitive: where states written before <see cref="AuthData"/> existed hold the authData (a UTF-16 string, twice
    /// the memory in every idle activation). <see cref="Loaded"/> moves it over when such a state is loaded.
    /// </summary>
    [Id(5)] public string? LegacyAuthDataJson { get; set; }

    [Id(6)] public string? Label { get; set; }
    [Id(7)] public string? UniqueIdentifier { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(10)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(11)] public DateTimeOffset? RefreshAt { get; set; }
    [Id(12)] public DateTimeOffset? LastRefreshedAt { get; set; }
    [Id(13)] public ConnectionError? LastError { get; set; }
    [Id(14)] public List<ConnectionEvent> History { get; set; } = [];
    [Id(15)] public AuthorizationAttempt? Attempt { get; set; }

    /// <summary>The exact redirect URI the current authData was obtained with (some providers want it on refresh).</summary>
    [Id(16)] public string? RedirectUri { get; set; }

    [Id(17)] public int ConsecutiveRefreshFailures { get; set; }

    /// <summary>When a transient refresh failure may be retried; null when no backoff is in force.</summary>
    [Id(18)] public DateTimeOffset? NextRefreshAttemptAt { get; set; }

    /// <summary>Increases whenever the token changes, so a caller can say which credentials a provider rejected.</summary>
    [Id(19)] public long Generation { get; set; }

    /// <summary>The UTC day <see cref="RefreshFailuresOnDay"/> counts for.</summary>
    [Id(20)] public DateOnly RefreshFailureDay { get; set; }

    /// <summary>Refresh failures on <see cref="RefreshFailureDay"/>: an outage shows up here without ever ending the connection.</summary>
    [Id(21)] public int RefreshFailuresOnDay { get; set; }

    /// <summary>
    /// The activation running a refresh (<c>silo address|activation id</c>), written before the refresh token is sent:
    /// a duplicate activation of this connection must not present the same refresh token too. Null when none runs.
    /// </summary>
    [Id(22)] public string? RefreshClaimHolder { get; set; }

    /// <summary>When <see cref="RefreshClaimHolder"/>'s claim lapses even though its silo still lives.</summary>
    [Id(23)] public DateTimeOffset? RefreshClaimUntil { get; set; }

    /// <summary>Sensitive: the authData object (SPEC section 3) as UTF-8 JSON; null until the first authorization completes.</summary>
    [Id(24)] public byte[]? AuthData { get; set; }

    /// <summary>The workspace OAuth client the current authData was issued to; null (also in states stored before it existed) for the version's own.</summary>
    [Id(25)] public string? OAuthClientId { get; set; }

    // Ids 40 and up: room below for members other branches add at the same time.

    /// <summary>The scopes the current authorization asked for (required plus chosen optional); null in states stored before optional scopes, meaning the version's scopes.</summary>
    [Id(40)] public List<string>? RequestedScopes { get; set; }

    /// <summary>The scopes the provider granted: its token response's <c>scope</c>, or the requested ones when it sent none. Null in older states.</summary>
    [Id(41)] public List<string>? GrantedScopes { get; set; }

    /// <summary>When the refresh token dies; null when unknown (states stored before this was tracked load so).</summary>
    [Id(30)] public DateTimeOffset? RefreshTokenExpiresAt { get; set; }

    /// <summary>When <c>reconnect_soon</c> is due; null when there is nothing to warn about or the warning went out.</summary>
    [Id(31)] public DateTimeOffset? ReconnectSoonAt { get; set; }

    /// <summary>
    /// When a refresh whose answer never arrived (lost response, or a silo that died holding the claim) was sent, for
    /// a version that declares a reuse grace; null when none is pending. Cleared by the next stored refresh.
    /// </summary>
    [Id(32)] public DateTimeOffset? RefreshInterruptedAt { get; set; }

    /// <summary>
    /// Prepares a state just read from storage: a row written in an older layout is brought to the current one (the
    /// next write stores it that way), and values that many connections repeat become shared instances.
    /// </summary>
    public void Loaded(SharedStrings shared)
    {
        if (LegacyAuthDataJson is { } json)
        {
            AuthData ??= Encoding.UTF8.GetBytes(json);
            LegacyAuthDataJson = null;
        }

        (WorkspaceId, PluginId, VersionId, RedirectUri) = (shared.Share(WorkspaceId), shared.Share(PluginId), shared.Share(VersionId), shared.Share(RedirectUri));
        for (var i = 0; i < History.Count; i++)
        {
            var recorded = History[i];
            History[i] = recorded with { Kind = shared.Share(recorded.Kind), Detail = shared.Share(recorded.Detail) };
        }
    }
}

/// <summary>The authorization attempt waiting for its callback.</summary>
[GenerateSerializer]
internal sealed class AuthorizationAttempt
{
    [Id(0)] public string AttemptId { get; set; } = "";
    [Id(1)] public string PluginId { get; set; } = "";
    [Id(2)] public string VersionId { get; set; } = "";

    /// <summary>Sensitive: field values (secret fields included) as a JSON object.</summary>
    [Id(3)] public string FieldsJson { get; set; } = "{}";

    [Id(4)] public string RedirectUri { get; set; } = "";
    [Id(5)] public string? ReturnUrl { get; set; }
    [Id(6)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The workspace OAuth client this attempt authorizes with; null for the version's own.</summary>
    [Id(7)] public string? OAuthClientId { get; set; }

    /// <summary>The scopes this attempt asked for; null in attempts stored before optional scopes (the version's scopes).</summary>
    [Id(20)] public List<string>? Scopes { get; set; }

    /// <summary>Sensitive: the OpenID Connect nonce sent when the attempt asked for <c>openid</c>; its ID token must carry it.</summary>
    [Id(30)] public string? Nonce { get; set; }
}
