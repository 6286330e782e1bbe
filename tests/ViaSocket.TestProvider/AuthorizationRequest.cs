namespace ViaSocket.TestProvider;

/// <summary>A validated authorization request: everything an authorization code gets bound to, except the user.</summary>
internal sealed record AuthorizationRequest(
    TestClient Client,
    string RedirectUri,
    IReadOnlyList<string> Scopes,
    string State,
    string? CodeChallenge,
    string? CodeChallengeMethod,
    string? Nonce = null);
