using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ViaSocket.TestProvider;

/// <summary>The outcome of client authentication; <see cref="ClaimedClientId"/> is known even when authentication fails.</summary>
internal sealed record ClientAuthentication(TestClient? Client, string? ClaimedClientId, OAuthError? Error);

/// <summary>Client authentication at the token and revocation endpoints (RFC 6749 2.3.1).</summary>
internal static class ClientAuthenticator
{
    private const string BasicScheme = "Basic";

    public static ClientAuthentication Authenticate(HttpRequest request, IFormCollection form, ProviderDirectory directory)
    {
        var formClientId = NonEmpty(form[OAuthWire.Parameters.ClientId].ToString());
        var formSecret = NonEmpty(form[OAuthWire.Parameters.ClientSecret].ToString());
        var header = request.Headers[HeaderNames.Authorization].ToString();

        if (!AuthenticationHeaderValue.TryParse(header, out var authorization)
            || !string.Equals(authorization.Scheme, BasicScheme, StringComparison.OrdinalIgnoreCase))
        {
            return formSecret is null
                ? Fail(formClientId, "Client authentication is required.")
                : Verify(directory, formClientId, formSecret, ClientAuthMethods.ClientSecretPost);
        }

        if (formSecret is not null)
        {
            return new ClientAuthentication(null, formClientId,
                OAuthError.InvalidRequest("Use exactly one client authentication method."));
        }

        if (DecodeBasic(authorization.Parameter) is not var (basicId, basicSecret))
        {
            return Fail(formClientId, "The Basic credentials are malformed.");
        }

        if (formClientId is not null && formClientId != basicId)
        {
            return new ClientAuthentication(null, basicId,
                OAuthError.InvalidRequest("The client_id in the body differs from the authenticated client."));
        }

        return Verify(directory, basicId, basicSecret, ClientAuthMethods.ClientSecretBasic);
    }

    private static ClientAuthentication Verify(ProviderDirectory directory, string? clientId, string secret, ClientAuthMethods method)
    {
        if (clientId is null || directory.FindClient(clientId) is not { } client
            || !OpaqueTokens.FixedTimeEquals(client.ClientSecret, secret))
        {
            return Fail(clientId, "Client authentication failed.");
        }

        return client.AuthMethods.HasFlag(method)
            ? new ClientAuthentication(client, clientId, null)
            : Fail(clientId, "This client may not use this authentication method.");
    }

    /// <summary>RFC 6749 2.3.1: the id and secret are form-URL-encoded before being joined with a colon.</summary>
    private static (string ClientId, string Secret)? DecodeBasic(string? parameter)
    {
        if (parameter is null)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0
            ? null
            : (WebUtility.UrlDecode(decoded[..colon]), WebUtility.UrlDecode(decoded[(colon + 1)..]));
    }

    private static ClientAuthentication Fail(string? clientId, string description) =>
        new(null, clientId, OAuthError.InvalidClient(description));

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;
}
