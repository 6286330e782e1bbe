namespace ViaSocket.TestProvider;

/// <summary>A point-in-time view of one authorization (the tokens issued from one authorization code).</summary>
/// <param name="CurrentRefreshToken">The refresh token that may be used next, or <see langword="null"/> when none was issued.</param>
/// <param name="RefreshCount">Successful refreshes so far.</param>
public sealed record GrantSnapshot(
    string GrantId,
    string ClientId,
    string UserId,
    IReadOnlyList<string> Scopes,
    bool IsRevoked,
    string? CurrentRefreshToken,
    int RefreshCount);
