using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ViaSocket.TestProvider;

/// <summary>
/// A real OAuth 2.0 authorization server on <c>http://127.0.0.1:{random port}</c> for end-to-end tests:
/// authorization code flow with PKCE, refresh rotation with reuse detection, revocation, a protected API,
/// fault injection on the token endpoint and counters of what reached it. All state is in memory.
/// </summary>
public sealed class TestAuthorizationServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ProviderRuntime runtime;
    private readonly HttpClient browserClient;
    private readonly HeadlessBrowser browser;
    private int disposed;

    private TestAuthorizationServer(WebApplication app, ProviderRuntime runtime, Uri baseAddress)
    {
        this.app = app;
        this.runtime = runtime;
        BaseAddress = baseAddress;

        // A browser does not follow the final redirect for us: the callback belongs to the system under test.
        browserClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        browser = new HeadlessBrowser(browserClient);
    }

    /// <summary>The root, e.g. <c>http://127.0.0.1:51234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The issuer identifier (RFC 8414): the base address without a trailing slash.</summary>
    public string Issuer => runtime.Issuer;

    public Uri AuthorizeUrl => new(BaseAddress, AuthorizeEndpoint.Path);

    public Uri TokenUrl => new(BaseAddress, TokenEndpoint.Path);

    public Uri UserInfoUrl => new(BaseAddress, ProtectedResourceEndpoints.UserInfoPath);

    public Uri RevokeUrl => new(BaseAddress, RevocationEndpoint.Path);

    /// <summary>The root of the protected API (<c>/api/</c>); any path below it echoes the request, e.g. <c>/api/me</c>, <c>/api/items</c>.</summary>
    public Uri ResourceUrl => new(BaseAddress, ProtectedResourceEndpoints.ApiPrefix);

    public Uri MetadataUrl => new(BaseAddress, MetadataEndpoint.Path);

    /// <summary>
    /// Changes the metadata document before it is served, given the document and the well-known path asked for;
    /// returning false answers 404 at that path. Null (the default) serves the document as it is.
    /// </summary>
    public Func<System.Text.Json.Nodes.JsonObject, string, bool>? EditMetadata
    {
        get => runtime.EditMetadata;
        set => runtime.EditMetadata = value;
    }

    /// <summary>The ID token signing keys; any query is ignored (a test's own query gives it its own cache entry in the service).</summary>
    public Uri JwksUrl => new(BaseAddress, JwksEndpoint.Path);

    /// <summary>Requests to <see cref="JwksUrl"/>.</summary>
    public int JwksRequests => runtime.IdTokens.JwksRequests;

    /// <summary>Signs new ID tokens with a new key; the key set serves it and the previous one.</summary>
    public void RotateIdTokenSigningKey() => runtime.IdTokens.Rotate();

    /// <summary>Breaks (or, with <see cref="IdTokenFault.None"/>, mends) the ID tokens issued to <paramref name="clientId"/>.</summary>
    public void SetIdTokenFault(string clientId, IdTokenFault fault) => runtime.IdTokens.SetFault(clientId, fault);

    /// <summary>Delay before the token endpoint answers, to trip client timeouts. Runs on real time, not the injected clock.</summary>
    public TimeSpan TokenEndpointDelay
    {
        get => runtime.Faults.Delay;
        set => runtime.Faults.Delay = value;
    }

    /// <summary>
    /// Holds the next token response that carries tokens to <paramref name="clientId"/>, after issuing them, until the
    /// hold is released; with <paramref name="drop"/>, the connection is then cut instead of answered (a lost response).
    /// </summary>
    public TokenResponseHold HoldNextIssuedTokens(string clientId, bool drop = false)
    {
        var hold = new TokenResponseHold(drop);
        runtime.Faults.HoldNextIssued(clientId, hold);
        return hold;
    }

    /// <summary>While set, every token request is answered with this status and an HTML body, as by a dead upstream.</summary>
    public int? TokenEndpointOutage
    {
        get => runtime.Faults.OutageStatus;
        set => runtime.Faults.OutageStatus = value;
    }

    /// <summary>All requests to <c>/token</c>, including ones answered by injected faults.</summary>
    public int TokenRequests => runtime.Counters.TokenRequests;

    /// <summary>Requests with <c>grant_type=authorization_code</c>, counted on arrival.</summary>
    public int AuthorizationCodeGrants => runtime.Counters.AuthorizationCodeGrants;

    /// <summary>Requests with <c>grant_type=refresh_token</c>, counted on arrival; see <see cref="RefreshGrantLog"/>.</summary>
    public int RefreshGrants => runtime.Counters.RefreshGrants;

    /// <summary>Times a retired refresh token came back and the grant was revoked for it.</summary>
    public int RefreshTokenReuseCount => runtime.Counters.RefreshTokenReuses;

    /// <summary>Each reuse with the time it was seen and, where known, when the reused token had been retired; oldest first.</summary>
    public IReadOnlyList<RefreshTokenReuseRecord> RefreshTokenReuseLog => runtime.Counters.ReuseLog;

    public int RevokeCalls => runtime.Counters.RevokeCalls;

    /// <summary>Times a retired refresh token was accepted because it came back inside <see cref="TestClient.RefreshTokenReuseGrace"/>.</summary>
    public int RefreshTokenGraceReplays => runtime.Counters.GraceReplays;

    /// <summary>The most token requests (of any grant, any client) being handled at once since the last reset.</summary>
    public int PeakTokenRequestsInFlight => runtime.Counters.PeakTokenRequestsInFlight;

    /// <summary>Starts a new peak from the number in flight now.</summary>
    public void ResetPeakTokenRequestsInFlight() => runtime.Counters.ResetPeakTokenRequestsInFlight();

    /// <summary>Each refresh request with its arrival time and the status it got, oldest first.</summary>
    public IReadOnlyList<RefreshGrantRecord> RefreshGrantLog => runtime.Counters.RefreshLog;

    /// <summary>Grants not revoked (expired access tokens do not end a grant).</summary>
    public int ActiveGrantCount => runtime.Store.ActiveGrantCount;

    /// <summary>Starts the server on a free loopback port.</summary>
    /// <param name="time">The clock for code and token expiry; defaults to <see cref="TimeProvider.System"/>.</param>
    public static async Task<TestAuthorizationServer> StartAsync(TestProviderOptions? options = null, TimeProvider? time = null)
    {
        options ??= new TestProviderOptions();
        var runtime = new ProviderRuntime(options, time ?? TimeProvider.System);
        if (options.AddDefaultUser)
        {
            runtime.Directory.AddUser(TestUser.Alice);
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();

        var app = builder.Build();
        app.MapAuthorize(runtime);
        app.MapToken(runtime);
        app.MapProtectedResources(runtime);
        app.MapRevocation(runtime);
        app.MapMetadata(runtime);
        app.MapJwks(runtime);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var baseAddress = new Uri(address.TrimEnd('/') + "/");
        runtime.Issuer = baseAddress.GetLeftPart(UriPartial.Authority);
        return new TestAuthorizationServer(app, runtime, baseAddress);
    }

    /// <summary>Registers a client, replacing any client with the same id.</summary>
    public void RegisterClient(TestClient client) => runtime.Directory.RegisterClient(client);

    /// <summary>Adds a user, replacing any user with the same id.</summary>
    public void AddUser(TestUser user) => runtime.Directory.AddUser(user);

    /// <summary>The next <paramref name="count"/> token requests fail with <paramref name="status"/>, an optional <c>Retry-After</c> and an RFC 6749 error body.</summary>
    /// <param name="error">The <c>error</c> code in the body; defaults to <c>temporarily_unavailable</c>.</param>
    public void FailNextTokenRequests(int count, int status, TimeSpan? retryAfter = null, string? error = null) =>
        runtime.Faults.FailNext(count, status, retryAfter, error);

    /// <summary>
    /// The next <paramref name="count"/> token requests are refused with HTTP 200 and <c>error</c> in the body (JSON, or
    /// form-encoded with <paramref name="formBody"/>), the way Reddit, Slack and GitHub refuse a refresh.
    /// </summary>
    public void RefuseNextTokenRequestsWithOk(int count, string error, bool formBody = false) =>
        runtime.Faults.RefuseNextWithOk(count, error, formBody);

    /// <summary>
    /// Opens <paramref name="authorizeUrl"/>, fills and submits the login form like a browser, and returns the
    /// redirect target (the client's callback with <c>code</c>/<c>state</c>, or an <c>error</c>) without following it.
    /// </summary>
    public Task<Uri> LoginAsync(
        Uri authorizeUrl,
        string username = "alice",
        string password = "password",
        bool allow = true,
        CancellationToken cancellationToken = default) =>
        browser.LoginAsync(authorizeUrl, username, password, allow, cancellationToken);

    /// <summary>Whether the access token would be accepted right now (known, not expired, grant not revoked).</summary>
    /// <summary>Expires one access token now (its grant and refresh token stay valid), so the next API call with it is answered as expired.</summary>
    public bool ExpireAccessToken(string accessToken) => runtime.Store.ExpireAccessToken(accessToken);

    public bool IsAccessTokenActive(string accessToken) => runtime.Store.FindActiveAccessToken(accessToken) is not null;

    /// <summary>The grant a refresh token (current or retired) belongs to, or null if the token was never issued.</summary>
    public GrantSnapshot? GrantFor(string refreshToken) => runtime.Store.SnapshotFor(refreshToken);

    /// <summary>Revokes the grant behind an access or refresh token, as when the user disconnects the app at the provider.</summary>
    public bool RevokeGrant(string token) => runtime.Store.RevokeGrantOf(token, clientId: null);

    /// <summary>Every authorization code, access token and refresh token this server issued, for leak searches.</summary>
    public IReadOnlyCollection<string> IssuedSecrets => runtime.Store.IssuedSecrets;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        browserClient.Dispose();

        // Bounded so a test that left TokenEndpointDelay on cannot stall disposal for Kestrel's full drain period.
        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(shutdown.Token);
        await app.DisposeAsync();
    }
}
