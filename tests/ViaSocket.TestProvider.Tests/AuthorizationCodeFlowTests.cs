using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace ViaSocket.TestProvider.Tests;

public sealed class AuthorizationCodeFlowTests
{
    [Fact]
    public async Task Code_flow_with_S256_pkce_issues_tokens_that_work_at_userinfo()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var verifier = OAuthClientDriver.NewVerifier();

        var callback = await driver.Server.LoginAsync(driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(verifier)));
        var parameters = OAuthClientDriver.CallbackParameters(callback);
        using var tokenResponse = await driver.ExchangeCodeAsync(parameters["code"]!, verifier);
        var tokens = await OAuthClientDriver.ReadJsonAsync(tokenResponse);
        using var userInfo = await driver.GetWithTokenAsync(driver.Server.UserInfoUrl, (string)tokens["access_token"]!);
        var profile = await OAuthClientDriver.ReadJsonAsync(userInfo);

        Assert.Equal(OAuthClientDriver.RedirectUri, callback.GetLeftPart(UriPartial.Path));
        Assert.Equal("state-1", parameters["state"]);
        Assert.Equal(driver.Server.Issuer, parameters["iss"]);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.Equal("Bearer", (string?)tokens["token_type"]);
        Assert.Equal(3600, (int)tokens["expires_in"]!);
        Assert.Equal("read write", (string?)tokens["scope"]);
        Assert.True(((string)tokens["access_token"]!).Length >= 22);
        Assert.NotNull((string?)tokens["refresh_token"]);
        Assert.Equal("no-store", tokenResponse.Headers.CacheControl?.ToString());
        Assert.Equal("alice", (string?)profile["sub"]);
        Assert.Equal("alice@example.com", (string?)profile["email"]);
        Assert.Equal(1, driver.Server.AuthorizationCodeGrants);
        Assert.Equal(1, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task A_wrong_code_verifier_is_refused_with_invalid_grant()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, _) = await driver.AuthorizeAsync();

        using var response = await driver.ExchangeCodeAsync(code, OAuthClientDriver.NewVerifier());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(response));
        Assert.Equal(0, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task A_missing_code_verifier_is_refused_when_a_challenge_was_sent()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, _) = await driver.AuthorizeAsync();

        using var response = await driver.ExchangeCodeAsync(code, verifier: null);

        Assert.Equal("invalid_request", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task Plain_pkce_accepts_the_verifier_equal_to_the_challenge()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var verifier = OAuthClientDriver.NewVerifier();

        var callback = await driver.Server.LoginAsync(driver.AuthorizeUrl(verifier, challengeMethod: "plain"));
        using var response = await driver.ExchangeCodeAsync(OAuthClientDriver.CallbackParameters(callback)["code"]!, verifier);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_client_that_requires_pkce_gets_an_error_redirect_without_a_challenge()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        var callback = await driver.Server.LoginAsync(driver.AuthorizeUrl(codeChallenge: null));
        var parameters = OAuthClientDriver.CallbackParameters(callback);

        Assert.Equal("invalid_request", parameters["error"]);
        Assert.Equal("state-1", parameters["state"]);
        Assert.Null(parameters["code"]);
    }

    [Fact]
    public async Task A_client_without_required_pkce_can_skip_it_but_not_send_a_verifier_later()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { RequirePkce = false });

        var callback = await driver.Server.LoginAsync(driver.AuthorizeUrl(codeChallenge: null));
        var code = OAuthClientDriver.CallbackParameters(callback)["code"]!;
        using var downgrade = await driver.ExchangeCodeAsync(code, OAuthClientDriver.NewVerifier());
        using var accepted = await driver.ExchangeCodeAsync(code, verifier: null);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(downgrade));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_replayed_code_is_refused_and_revokes_the_tokens_issued_from_it()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, verifier) = await driver.AuthorizeAsync();
        using var first = await driver.ExchangeCodeAsync(code, verifier);
        var accessToken = (string)(await OAuthClientDriver.ReadJsonAsync(first))["access_token"]!;

        using var replay = await driver.ExchangeCodeAsync(code, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(replay));
        Assert.False(driver.Server.IsAccessTokenActive(accessToken));
        Assert.Equal(0, driver.Server.ActiveGrantCount);
    }

    [Fact]
    public async Task A_code_redeemed_by_another_client_is_refused()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var other = OAuthClientDriver.NewClient("other-app", "other-secret");
        driver.Server.RegisterClient(other);
        await using var otherDriver = new OAuthClientDriver(driver.Server, other);
        var (code, verifier) = await driver.AuthorizeAsync();

        using var stolen = await otherDriver.ExchangeCodeAsync(code, verifier);
        using var legitimate = await driver.ExchangeCodeAsync(code, verifier);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(stolen));
        Assert.Equal(HttpStatusCode.OK, legitimate.StatusCode);
    }

    [Fact]
    public async Task A_redirect_uri_differing_at_the_token_endpoint_is_refused()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, verifier) = await driver.AuthorizeAsync();

        using var response = await driver.ExchangeCodeAsync(code, verifier, redirectUri: OAuthClientDriver.RedirectUri + "/");

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task An_unregistered_redirect_uri_gets_an_error_page_and_never_a_redirect()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var url = driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier()), redirectUri: "http://127.0.0.1:9/evil");

        using var response = await driver.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        await Assert.ThrowsAsync<InvalidOperationException>(() => driver.Server.LoginAsync(url));
    }

    [Fact]
    public async Task An_unknown_client_gets_an_error_page()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        await using var other = new OAuthClientDriver(driver.Server, OAuthClientDriver.NewClient("unknown-app"));

        using var response = await driver.Http.GetAsync(other.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier())));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("client_id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_the_state()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        var callback = await driver.Server.LoginAsync(
            driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier())), allow: false);
        var parameters = OAuthClientDriver.CallbackParameters(callback);

        Assert.Equal("access_denied", parameters["error"]);
        Assert.Equal("state-1", parameters["state"]);
        Assert.Null(parameters["code"]);
    }

    [Fact]
    public async Task A_wrong_password_redisplays_the_form_instead_of_redirecting()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        var login = driver.Server.LoginAsync(
            driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier())), password: "wrong");

        await Assert.ThrowsAsync<InvalidOperationException>(() => login);
    }

    [Fact]
    public async Task A_registered_user_can_sign_in_with_their_email()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        driver.Server.AddUser(new TestUser("bob", "bob@example.com", "Bob", "hunter2"));
        var verifier = OAuthClientDriver.NewVerifier();

        var callback = await driver.Server.LoginAsync(
            driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(verifier)), "bob@example.com", "hunter2");
        using var tokens = await driver.ExchangeCodeAsync(OAuthClientDriver.CallbackParameters(callback)["code"]!, verifier);
        using var userInfo = await driver.GetWithTokenAsync(
            driver.Server.UserInfoUrl, (string)(await OAuthClientDriver.ReadJsonAsync(tokens))["access_token"]!);

        Assert.Equal("bob", (string?)(await OAuthClientDriver.ReadJsonAsync(userInfo))["id"]);
    }

    [Fact]
    public async Task Callback_extras_are_appended_and_iss_can_be_omitted_or_wrong()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with
        {
            CallbackExtras = new Dictionary<string, string> { ["realmId"] = "123" },
            IssuerParameter = IssuerParameterMode.Omitted,
        });
        var url = driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier()));

        var omitted = OAuthClientDriver.CallbackParameters(await driver.Server.LoginAsync(url));
        driver.Server.RegisterClient(driver.Client with { IssuerParameter = IssuerParameterMode.Wrong });
        var wrong = OAuthClientDriver.CallbackParameters(await driver.Server.LoginAsync(url));

        Assert.Equal("123", omitted["realmId"]);
        Assert.Null(omitted["iss"]);
        Assert.Equal(TestClient.WrongIssuer, wrong["iss"]);
    }

    [Fact]
    public async Task Instance_urls_move_with_each_refresh_and_stay_on_the_last_one()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with
        {
            InstanceUrls = ["https://na1.example.test", "https://na2.example.test"],
        });

        var issued = await driver.ConnectAsync();
        using var first = await driver.RefreshAsync((string)issued["refresh_token"]!);
        var firstTokens = await OAuthClientDriver.ReadJsonAsync(first);
        using var second = await driver.RefreshAsync((string)firstTokens["refresh_token"]!);

        Assert.Equal("https://na1.example.test", (string?)issued["instance_url"]);
        Assert.Equal("https://na2.example.test", (string?)firstTokens["instance_url"]);
        Assert.Equal("https://na2.example.test", (string?)(await OAuthClientDriver.ReadJsonAsync(second))["instance_url"]);
    }

    [Fact]
    public async Task A_comma_separated_client_accepts_commas_and_refuses_spaces()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with
        {
            ScopeSeparator = ScopeSeparator.Comma,
            AllowedScopes = ["read", "write"],
        });
        var verifier = OAuthClientDriver.NewVerifier();
        var challenge = OAuthClientDriver.S256Challenge(verifier);

        var refused = OAuthClientDriver.CallbackParameters(await driver.Server.LoginAsync(driver.AuthorizeUrl(challenge, scope: "read write")));
        var accepted = await driver.Server.LoginAsync(driver.AuthorizeUrl(challenge, scope: "read,write"));
        using var tokens = await driver.ExchangeCodeAsync(OAuthClientDriver.CallbackParameters(accepted)["code"]!, verifier);

        Assert.Equal("invalid_scope", refused["error"]);
        Assert.Equal("read,write", (string?)(await OAuthClientDriver.ReadJsonAsync(tokens))["scope"]);
    }

    [Fact]
    public async Task A_scope_outside_the_allowed_list_is_refused()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { AllowedScopes = ["read"] });

        var callback = await driver.Server.LoginAsync(
            driver.AuthorizeUrl(OAuthClientDriver.S256Challenge(OAuthClientDriver.NewVerifier()), scope: "read admin"));

        Assert.Equal("invalid_scope", OAuthClientDriver.CallbackParameters(callback)["error"]);
    }

    [Fact]
    public async Task A_code_older_than_sixty_seconds_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var driver = await OAuthClientDriver.StartAsync(time: time);
        var (code, verifier) = await driver.AuthorizeAsync();

        time.Advance(TimeSpan.FromSeconds(61));
        using var response = await driver.ExchangeCodeAsync(code, verifier);

        Assert.Equal("invalid_grant", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task Metadata_names_the_issuer_and_endpoints()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        using var response = await driver.Http.GetAsync(driver.Server.MetadataUrl);
        var metadata = await OAuthClientDriver.ReadJsonAsync(response);

        Assert.Equal(driver.Server.Issuer, (string?)metadata["issuer"]);
        Assert.Equal(driver.Server.TokenUrl.ToString(), (string?)metadata["token_endpoint"]);
        Assert.Equal(driver.Server.AuthorizeUrl.ToString(), (string?)metadata["authorization_endpoint"]);
    }
}
