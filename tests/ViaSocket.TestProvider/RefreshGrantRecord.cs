namespace ViaSocket.TestProvider;

/// <summary>One <c>grant_type=refresh_token</c> request that reached the token endpoint.</summary>
/// <param name="ReceivedAt">Arrival time on the server's <see cref="TimeProvider"/>.</param>
/// <param name="ClientId">The client the request named or authenticated as, when it could be told.</param>
/// <param name="StatusCode">The status answered; 499 when the caller hung up first (for example during <see cref="TestAuthorizationServer.TokenEndpointDelay"/>).</param>
public sealed record RefreshGrantRecord(DateTimeOffset ReceivedAt, string? ClientId, int StatusCode);
