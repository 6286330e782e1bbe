using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Server.Security;
using ViaSocket.TestProvider;

namespace ViaSocket.LoadTests;

/// <summary>
/// Creates active connections the way an integration author and end users would: publishes an auth version for the
/// loopback provider, then runs start, consent and callback once per connection.
/// </summary>
/// <param name="refreshMarginSeconds">The version's <c>tokenExpiry.refreshMarginSeconds</c>; null keeps the service default.</param>
/// <param name="javaScriptRefresh">The version refreshes with a JavaScript block instead of the equivalent declarative request.</param>
internal sealed class BenchConnections(Uri baseAddress, ApiKey apiKey, TestAuthorizationServer provider, int? refreshMarginSeconds = null, bool javaScriptRefresh = false)
{
    public const string PluginId = "bench-crm";
    public const string VersionId = "v1";
    private const string ClientId = "bench-app";

    // A bench-only client registered at the in-process test provider; it protects nothing.
    private const string ClientSecret = "bench-client-secret-7d2e";

    /// <summary>Where end users land after connecting; its host is on the workspace's return-URL allowlist.</summary>
    public static readonly Uri ReturnUrl = new("https://app.example.test/connections/done");

    /// <summary>The provider-side registration; the definition sends the secret in the form (client_secret_post).</summary>
    public static TestClient Client(Uri callbackUrl) =>
        new(ClientId, ClientSecret, [callbackUrl.ToString()]) { AuthMethods = ClientAuthMethods.ClientSecretPost };

    /// <summary>The provider-side registration with a given access-token lifetime (read by the provider at issue time).</summary>
    public static TestClient Client(Uri callbackUrl, TimeSpan accessTokenLifetime) => Client(callbackUrl) with { AccessTokenLifetime = accessTokenLifetime };

    /// <summary>
    /// Publishes the version, then connects <paramref name="count"/> users, <paramref name="parallelism"/> at a time;
    /// returns their connection ids, each checked to serve credentials. <paramref name="progress"/> hears every 500th.
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateAsync(int count, int parallelism, CancellationToken cancellationToken, Action<int>? progress = null)
    {
        using var api = Api();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        await PublishAsync(api, cancellationToken);
        var ids = new string[count];
        var done = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            ids[i] = await ConnectAsync(api, browser, $"bench-user-{i}", ct);
            if (Interlocked.Increment(ref done) % 500 == 0)
            {
                progress?.Invoke(done);
            }
        });
        return ids;
    }

    /// <summary>
    /// Refreshes every connection on demand, <paramref name="parallelism"/> at a time, so each takes a token with the
    /// provider's current lifetime; a connection refreshed moments ago is answered with that token instead.
    /// </summary>
    /// <remarks>
    /// A busy cluster may answer 429 or 5xx (a refresh waits its turn at the per-version limit and can outlast the grain
    /// call's time-out): those are tried again, a few seconds apart, before the run gives up.
    /// </remarks>
    public async Task RefreshAsync(IReadOnlyList<string> ids, int parallelism, CancellationToken cancellationToken)
    {
        const int maxAttempts = 5;
        using var api = Api();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await api.PostAsync($"/v1/connections/{id}/refresh", null, ct);
                var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (!transient || attempt == maxAttempts)
                {
                    await EnsureAsync(response, "refreshing a connection", ct);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), ct);
            }
        });
    }

    /// <summary>A client of the service's API with the bench key.</summary>
    public HttpClient Api()
    {
        var api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Reveal());
        return api;
    }

    /// <summary>The access token inside a credentials answer: the definition appends it as a bearer header.</summary>
    public static string? TokenOf(JsonNode credentials) =>
        (string?)credentials["headers"]?["Authorization"] is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;

    /// <summary>Publishes the bench auth version only, for callers that create connections another way.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        using var api = Api();
        await PublishAsync(api, cancellationToken);
    }

    private async Task PublishAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var definition = Definition();
        if (refreshMarginSeconds is { } margin)
        {
            definition["tokenExpiry"] = new JsonObject { ["refreshMarginSeconds"] = margin };
        }

        var versionPath = await PutDraftAsync(api, PluginId, VersionId, definition, cancellationToken);
        using var publish = await api.PostAsync(versionPath + "/publish", null, cancellationToken);
        await EnsureAsync(publish, "publishing the auth version", cancellationToken);
    }

    /// <summary>Saves <paramref name="definition"/> as a draft version; returns the version's API path.</summary>
    public static async Task<string> PutDraftAsync(HttpClient api, string pluginId, string versionId, JsonObject definition, CancellationToken cancellationToken)
    {
        var versionPath = $"/v1/plugins/{pluginId}/auth-versions/{versionId}";
        using var put = await api.PutAsJsonAsync(versionPath, definition, cancellationToken);
        await EnsureAsync(put, "saving the auth version", cancellationToken);
        return versionPath;
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

        using var credentials = await api.GetAsync($"/v1/connections/{connectionId}/credentials", cancellationToken);
        await EnsureAsync(credentials, "reading credentials of a new connection", cancellationToken);
        return connectionId;
    }

    /// <summary>
    /// Token exchange and refresh as declarative form requests (client_secret_post), a bearer header appended. The
    /// provider rotates refresh tokens, so the refresh sends the current one from <c>accesstokencode</c>. With
    /// <c>javaScriptRefresh</c> the refresh sends the same form from a JavaScript block.
    /// </summary>
    public JsonObject Definition() => new()
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
        ["accessToken"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = "POST",
                ["url"] = provider.TokenUrl.ToString(),
                ["bodyType"] = "form",
                ["body"] = new JsonObject
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = "${context.authData.code}",
                    ["redirect_uri"] = "${context.redirectUri}",
                    ["code_verifier"] = "${context.codeVerifier}",
                    ["client_id"] = "${context.clientId}",
                    ["client_secret"] = "${context.clientSecret}",
                },
            },
        },
        ["refreshToken"] = javaScriptRefresh ? JavaScriptRefreshBlock() : DeclarativeRefreshBlock(),
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
        // Every block request must be under an allowed URL too, so the token and userinfo endpoints are listed.
        ["allowedUrls"] = new JsonArray(new Uri(provider.BaseAddress, "/api").ToString().TrimEnd('/'), provider.TokenUrl.ToString(), provider.UserInfoUrl.ToString()),
        ["append"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
        },
    };

    private JsonObject DeclarativeRefreshBlock() => new()
    {
        ["request"] = new JsonObject
        {
            ["method"] = "POST",
            ["url"] = provider.TokenUrl.ToString(),
            ["bodyType"] = "form",
            ["body"] = new JsonObject
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}",
                ["client_id"] = "${context.clientId}",
                ["client_secret"] = "${context.clientSecret}",
            },
        },
    };

    private JsonObject JavaScriptRefreshBlock() => new()
    {
        ["code"] = $$"""
            const body = new URLSearchParams({
              grant_type: 'refresh_token', refresh_token: context.authData.accesstokencode.refresh_token,
              client_id: context.clientId, client_secret: context.clientSecret,
            });
            const response = await axios.post('{{provider.TokenUrl}}', body);
            return response.data;
            """,
    };

    /// <summary>Fails with the status and the service's problem code; response bodies here carry no token material.</summary>
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
