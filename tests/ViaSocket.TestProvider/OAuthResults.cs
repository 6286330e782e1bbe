using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ViaSocket.TestProvider;

/// <summary>JSON responses of the token and revocation endpoints.</summary>
internal static class OAuthResults
{
    /// <summary>RFC 6749 5.1, reshaped per the client's <see cref="TestClient.TokenResponseStyle"/> the way real providers deviate.</summary>
    /// <param name="idToken">Added as <c>id_token</c> when the grant includes <c>openid</c>.</param>
    public static IResult Tokens(HttpResponse response, IssuedTokens tokens, TestClient client, string? idToken = null)
    {
        var body = new JsonObject
        {
            ["access_token"] = tokens.AccessToken,
            ["token_type"] = OAuthWire.BearerTokenType,
        };
        if (idToken is not null)
        {
            body["id_token"] = idToken;
        }

        var lifetimeSeconds = (long)tokens.Lifetime.TotalSeconds;
        switch (client.TokenResponseStyle)
        {
            case TokenResponseStyle.ExpiresInAsString:
                body["expires_in"] = lifetimeSeconds.ToString(CultureInfo.InvariantCulture);
                break;
            case TokenResponseStyle.NoExpiresIn:
                break;
            default:
                body["expires_in"] = lifetimeSeconds;
                break;
        }

        if (tokens.RefreshToken is not null)
        {
            body["refresh_token"] = tokens.RefreshToken;
            if (client.RefreshTokenLifetime is { } refreshLifetime)
            {
                body["refresh_token_expires_in"] = (long)refreshLifetime.TotalSeconds;
            }
        }

        if (client.TokenResponseStyle != TokenResponseStyle.NoScope)
        {
            body["scope"] = ScopeList.Join(tokens.Scopes, client.ScopeSeparator);
        }

        if (client.InstanceUrls.Count > 0)
        {
            body["instance_url"] = client.InstanceUrls[Math.Min(tokens.RefreshCount, client.InstanceUrls.Count - 1)];
        }

        var payload = client.TokenResponseStyle == TokenResponseStyle.Nested ? new JsonObject { ["data"] = body } : body;
        ForbidCaching(response);
        return Json(payload, StatusCodes.Status200OK);
    }

    /// <summary>RFC 6749 5.2.</summary>
    public static IResult Error(HttpResponse response, OAuthError error)
    {
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"test-provider\"";
        }

        ForbidCaching(response);
        return Json(ErrorBody(error.Error, error.Description), error.StatusCode);
    }

    public static IResult InjectedFailure(HttpResponse response, InjectedFailure failure)
    {
        if (failure.RetryAfter is { } retryAfter)
        {
            response.Headers[HeaderNames.RetryAfter] =
                ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return failure.FormBody
            ? Results.Content($"error={Uri.EscapeDataString(failure.Error)}&error_description=Injected+failure.", "application/x-www-form-urlencoded", Encoding.UTF8, failure.StatusCode)
            : Json(ErrorBody(failure.Error, "Injected failure."), failure.StatusCode);
    }

    /// <summary>What a load balancer in front of a dead provider answers: not JSON at all.</summary>
    public static IResult Outage(int statusCode) =>
        Results.Content(
            $"<html><body><h1>{statusCode}</h1><p>The service is unavailable.</p></body></html>",
            "text/html", Encoding.UTF8, statusCode);

    public static IResult Json(JsonNode body, int statusCode) =>
        Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, statusCode);

    private static JsonObject ErrorBody(string error, string description) => new()
    {
        [OAuthWire.Parameters.Error] = error,
        [OAuthWire.Parameters.ErrorDescription] = description,
    };

    private static void ForbidCaching(HttpResponse response)
    {
        response.Headers[HeaderNames.CacheControl] = "no-store";
        response.Headers[HeaderNames.Pragma] = "no-cache";
    }
}
