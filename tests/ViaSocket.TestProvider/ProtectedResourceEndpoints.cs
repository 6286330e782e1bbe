using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace ViaSocket.TestProvider;

/// <summary>Bearer-protected endpoints: <c>/userinfo</c> and an echoing API under <c>/api/</c> (RFC 6750).</summary>
internal static class ProtectedResourceEndpoints
{
    public const string UserInfoPath = "/userinfo";
    public const string ApiPrefix = "/api/";

    /// <summary>Request headers echoed back; never <c>Authorization</c>, which carries the token.</summary>
    private static readonly string[] EchoedHeaders = [HeaderNames.Accept, HeaderNames.ContentType, HeaderNames.UserAgent];

    public static void MapProtectedResources(this IEndpointRouteBuilder routes, ProviderRuntime runtime)
    {
        routes.MapMethods(UserInfoPath, [HttpMethods.Get, HttpMethods.Post], (HttpContext http) => UserInfo(http, runtime));
        routes.Map(ApiPrefix + "{**path}", Task<IResult> (HttpContext http) => EchoAsync(http, runtime));
    }

    private static IResult UserInfo(HttpContext http, ProviderRuntime runtime)
    {
        if (Authorize(http, runtime) is not { } user)
        {
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }

        return OAuthResults.Json(Profile(user), StatusCodes.Status200OK);
    }

    private static async Task<IResult> EchoAsync(HttpContext http, ProviderRuntime runtime)
    {
        if (Authorize(http, runtime) is not { } user)
        {
            return Refused(http, runtime);
        }

        var request = http.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);

        var query = new JsonObject();
        foreach (var (name, values) in request.Query)
        {
            query[name] = values.ToString();
        }

        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers)
        {
            if (EchoedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            {
                headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        return OAuthResults.Json(
            new JsonObject
            {
                ["user"] = Profile(user),
                ["method"] = request.Method,
                ["path"] = request.Path.Value,
                ["query"] = query,
                ["headers"] = headers,
                ["body"] = ParseBody(body, request.ContentType),
            },
            StatusCodes.Status200OK);
    }

    /// <summary>A request without an active token, answered as the token's client is configured to answer an expired one.</summary>
    private static IResult Refused(HttpContext http, ProviderRuntime runtime)
    {
        var token = AuthenticationHeaderValue.TryParse(http.Request.Headers[HeaderNames.Authorization].ToString(), out var header) ? header.Parameter : null;
        var client = token is not null && runtime.Store.ClientIdOf(token) is { } clientId ? runtime.Directory.FindClient(clientId) : null;
        return client?.ExpiredTokenAnswer switch
        {
            ExpiredTokenAnswer.ForbiddenWithErrorCode => OAuthResults.Json(
                new JsonObject { ["error"] = new JsonObject { ["code"] = "TOKEN_EXPIRED" } }, StatusCodes.Status403Forbidden),
            ExpiredTokenAnswer.OkWithErrorBody => OAuthResults.Json(new JsonObject { ["ok"] = false, ["error"] = "token_expired" }, StatusCodes.Status200OK),
            _ => Results.StatusCode(StatusCodes.Status401Unauthorized),
        };
    }

    /// <summary>Returns the token's user, or writes the RFC 6750 3.1 challenge and returns null.</summary>
    private static TestUser? Authorize(HttpContext http, ProviderRuntime runtime)
    {
        var header = http.Request.Headers[HeaderNames.Authorization].ToString();
        if (!AuthenticationHeaderValue.TryParse(header, out var authorization)
            || !string.Equals(authorization.Scheme, OAuthWire.BearerTokenType, StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(authorization.Parameter))
        {
            http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"test-provider\"";
            return null;
        }

        if (runtime.Store.FindActiveAccessToken(authorization.Parameter) is not { } entry)
        {
            http.Response.Headers[HeaderNames.WWWAuthenticate] =
                $"Bearer realm=\"test-provider\", error=\"{OAuthWire.Errors.InvalidToken}\"";
            return null;
        }

        return entry.Grant.User;
    }

    private static JsonObject Profile(TestUser user) => new()
    {
        ["id"] = user.Id,
        ["sub"] = user.Id,
        ["email"] = user.Email,
        ["name"] = user.Name,
    };

    private static JsonNode? ParseBody(string body, string? contentType)
    {
        if (body.Length == 0)
        {
            return null;
        }

        if (contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                return JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                // Echo what was sent, even when it claims to be JSON and is not.
            }
        }

        return body;
    }
}
