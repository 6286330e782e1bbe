using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.TestProvider;

namespace ViaSocket.Chaos;

/// <summary>
/// The auth version under test (declarative token exchange and refresh against the loopback provider, rotating
/// refresh tokens) and the end users who connect to it: start, consent at the provider, callback.
/// </summary>
internal sealed class ChaosConnections(Uri frontEnd, string apiKey, TestAuthorizationServer provider)
{
    public const string PluginId = "chaos-crm";
    public const string VersionId = "v1";
    private const string ClientId = "chaos-app";

    // A run-only client registered at the in-process test provider; it protects nothing.
    private const string ClientSecret = "chaos-client-secret-41c9";

    /// <summary>Where end users land after connecting; its host is on the bootstrap workspace's return-URL allowlist.</summary>
    public static readonly Uri ReturnUrl = new("https://app.example.test/connections/done");

    /// <summary>The provider-side registration: secret in the form (client_secret_post), short-lived access tokens.</summary>
    public static TestClient Client(Uri callbackUrl, TimeSpan accessTokenLifetime) =>
        new(ClientId, ClientSecret, [callbackUrl.ToString()]) { AuthMethods = ClientAuthMethods.ClientSecretPost, AccessTokenLifetime = accessTokenLifetime };

    /// <summary>The access token inside a credentials answer: the definition appends it as a bearer header.</summary>
    public static string? TokenOf(JsonNode credentials) =>
        (string?)credentials["headers"]?["Authorization"] is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;

    /// <summary>Publishes the version, then connects <paramref name="count"/> users, <paramref name="parallelism"/> at a time; returns their connection ids.</summary>
    public async Task<IReadOnlyList<string>> CreateAsync(int count, int parallelism, CancellationToken cancellationToken)
    {
        using var api = Api();
        await PublishAsync(api, cancellationToken);

        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        var ids = new string[count];
        var done = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            ids[i] = await ConnectAsync(api, browser, $"chaos-user-{i}", ct);
            if (Interlocked.Increment(ref done) % 500 == 0)
            {
                Console.Out.WriteLine($"  {done} / {count} connections");
            }
        });
        return ids;
    }

    public HttpClient Api()
    {
        var api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = frontEnd };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return api;
    }

    private async Task PublishAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var versionPath = $"/v1/plugins/{PluginId}/auth-versions/{VersionId}";
        using (var put = await api.PutAsJsonAsync(versionPath, Definition(), cancellationToken))
        {
            await EnsureAsync(put, "saving the auth version", cancellationToken);
        }

        using var publish = await api.PostAsync(versionPath + "/publish", null, cancellationToken);
        await EnsureAsync(publish, "publishing the auth version", cancellationToken);
    }

    private async Task<string> ConnectAsync(HttpClient api, HttpClient browser, string ownerId, CancellationToken cancellationToken)
    {
        string connectionId;
        Uri authorizeUrl;
        using (var start = await api.PostAsJsonAsync("/v1/connections", new { pluginId = PluginId, versionId = VersionId, ownerId, returnUrl = ReturnUrl }, cancellationToken))
        {
            await EnsureAsync(start, "starting a connection", cancellationToken);
            var started = JsonNode.Parse(await start.Content.ReadAsStringAsync(cancellationToken))!;
            connectionId = (string)started["connectionId"]!;
            authorizeUrl = new Uri((string)started["authorizeUrl"]!);
        }

        var callbackUrl = await provider.LoginAsync(authorizeUrl, cancellationToken: cancellationToken);
        using (var callback = await browser.GetAsync(callbackUrl, cancellationToken))
        {
            var outcome = callback.Headers.Location is { } location ? QueryHelpers.ParseQuery(location.Query) : [];
            if (callback.StatusCode != HttpStatusCode.Redirect || outcome.GetValueOrDefault("status") != "success")
            {
                throw new InvalidOperationException(
                    $"The OAuth callback did not complete the connection (HTTP {(int)callback.StatusCode}, error '{outcome.GetValueOrDefault("error")}').");
            }
        }

        // "Listed before" means usable before: each connection has served credentials once.
        using var credentials = await api.GetAsync($"/v1/connections/{connectionId}/credentials", cancellationToken);
        await EnsureAsync(credentials, "reading credentials of a new connection", cancellationToken);
        return connectionId;
    }

    /// <summary>Declarative token exchange and refresh (client_secret_post); the access token appended as a bearer header.</summary>
    private JsonObject Definition() => new()
    {
        ["authorization"] = new JsonObject
        {
            ["url"] = provider.AuthorizeUrl.ToString(),
            ["clientId"] = ClientId,
            ["clientSecret"] = ClientSecret,
            ["scopes"] = new JsonArray("read", "write"),
            ["scopeSeparator"] = "space",
            ["issuer"] = provider.Issuer,
        },
        ["accessToken"] = TokenRequest(new JsonObject
        {
            ["grant_type"] = "authorization_code",
            ["code"] = "${context.authData.code}",
            ["redirect_uri"] = "${context.redirectUri}",
            ["code_verifier"] = "${context.codeVerifier}",
        }),
        ["refreshToken"] = TokenRequest(new JsonObject
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}",
        }),
        ["testMe"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = "GET",
                ["url"] = provider.UserInfoUrl.ToString(),
                ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
            },
        },
        ["connectionLabel"] = "${context.authData.testme.email}",
        ["allowedUrls"] = new JsonArray(new Uri(provider.BaseAddress, "/api").ToString().TrimEnd('/')),
        ["append"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
        },
    };

    private JsonObject TokenRequest(JsonObject grant)
    {
        grant["client_id"] = "${context.clientId}";
        grant["client_secret"] = "${context.clientSecret}";
        return new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "POST", ["url"] = provider.TokenUrl.ToString(), ["bodyType"] = "form", ["body"] = grant },
        };
    }

    /// <summary>Fails with the status and the service's problem code; these responses carry no token material.</summary>
    public static async Task EnsureAsync(HttpResponseMessage response, string step, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{step} failed: HTTP {(int)response.StatusCode} {ProblemCode(body)}");
        }
    }

    /// <summary>The <c>code</c> of a problem+json body, or null.</summary>
    public static string? ProblemCode(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject problem ? (string?)problem["code"] : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
