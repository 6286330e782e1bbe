using Microsoft.AspNetCore.Http;

namespace ViaSocket.TestProvider;

/// <summary>An RFC 6749 error: the code, a description safe to show (never a secret), and the HTTP status.</summary>
internal sealed record OAuthError(string Error, string Description, int StatusCode = StatusCodes.Status400BadRequest)
{
    public static OAuthError InvalidRequest(string description) => new(OAuthWire.Errors.InvalidRequest, description);

    public static OAuthError InvalidGrant(string description) => new(OAuthWire.Errors.InvalidGrant, description);

    public static OAuthError InvalidClient(string description) =>
        new(OAuthWire.Errors.InvalidClient, description, StatusCodes.Status401Unauthorized);
}
