namespace ViaSocket.TestProvider;

/// <summary>A retired refresh token that came back, revoking its grant.</summary>
/// <param name="ReusedAt">When it came back, on the server's <see cref="TimeProvider"/>.</param>
/// <param name="RetiredAt">
/// When the server answered the refresh that replaced it: the moment from which a client that never stored that answer
/// holds a dead token. Null when the reused token was not the one replaced last (it was retired further back).
/// </param>
public sealed record RefreshTokenReuseRecord(DateTimeOffset ReusedAt, DateTimeOffset? RetiredAt);
