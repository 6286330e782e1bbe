using System.Buffers.Text;
using System.Collections.Specialized;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace ViaSocket.TestProvider.Tests;

/// <summary>Plays the OAuth client against a running server over plain HTTP, the way ViaSocket will.</summary>
/// <param name="ownsServer">Whether disposing the driver stops the server (true for drivers made by <see cref="StartAsync"/>).</param>
internal sealed class OAuthClientDriver(TestAuthorizationServer server, TestClient client, bool ownsServer = false) : IAsyncDisposable
{
    public const string RedirectUri = "http://127.0.0.1:9/oauth/callback";

    public HttpClient Http { get; } = new();

    public TestAuthorizationServer Server => server;

    public TestClient Client => client;

    public static TestClient NewClient(string clientId = "crm-app", string clientSecret = "s3cret") =>
        new(clientId, clientSecret, [RedirectUri]);

    public static async Task<OAuthClientDriver> StartAsync(TestClient? client = null, TimeProvider? time = null)
    {
        var server = await TestAuthorizationServer.StartAsync(time: time);
        client ??= NewClient();
        server.RegisterClient(client);
        return new OAuthClientDriver(server, client, ownsServer: true);
    }

    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string S256Challenge(string verifier) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public Uri AuthorizeUrl(
        string? codeChallenge,
        string? challengeMethod = "S256",
        string scope = "read write",
        string state = "state-1",
        string redirectUri = RedirectUri)
    {
        var query = HttpUtility.ParseQueryString(string.Empty);
        query["response_type"] = "code";
        query["client_id"] = client.ClientId;
        query["redirect_uri"] = redirectUri;
        query["scope"] = scope;
        query["state"] = state;
        if (codeChallenge is not null)
        {
            query["code_challenge"] = codeChallenge;
            query["code_challenge_method"] = challengeMethod;
        }

        return new UriBuilder(server.AuthorizeUrl) { Query = query.ToString() }.Uri;
    }

    public static NameValueCollection CallbackParameters(Uri callback) => HttpUtility.ParseQueryString(callback.Query);

    /// <summary>Signs alice in with S256 PKCE and returns the code and its verifier.</summary>
    public async Task<(string Code, string Verifier)> AuthorizeAsync()
    {
        var verifier = NewVerifier();
        var callback = await server.LoginAsync(AuthorizeUrl(S256Challenge(verifier)));
        return (CallbackParameters(callback)["code"]!, verifier);
    }

    public async Task<JsonObject> ConnectAsync()
    {
        var (code, verifier) = await AuthorizeAsync();
        using var response = await ExchangeCodeAsync(code, verifier);
        response.EnsureSuccessStatusCode();
        return await ReadJsonAsync(response);
    }

    public Task<HttpResponseMessage> ExchangeCodeAsync(string code, string? verifier, string redirectUri = RedirectUri)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        return PostFormAsync(server.TokenUrl, form);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        PostFormAsync(server.TokenUrl, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        });

    /// <summary>Posts a form authenticated the way <paramref name="method"/> says (Basic when unspecified).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(
        Uri url,
        Dictionary<string, string> form,
        ClientAuthMethods method = ClientAuthMethods.ClientSecretBasic,
        string? secret = null)
    {
        secret ??= client.ClientSecret;
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (method == ClientAuthMethods.ClientSecretBasic)
        {
            var credentials = Uri.EscapeDataString(client.ClientId) + ":" + Uri.EscapeDataString(secret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form = new Dictionary<string, string>(form) { ["client_id"] = client.ClientId, ["client_secret"] = secret };
        }

        request.Content = new FormUrlEncodedContent(form);
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> GetWithTokenAsync(Uri url, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Http.SendAsync(request);
    }

    public static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task<string?> ReadErrorAsync(HttpResponseMessage response) =>
        (string?)(await ReadJsonAsync(response))["error"];

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (ownsServer)
        {
            await server.DisposeAsync();
        }
    }
}
