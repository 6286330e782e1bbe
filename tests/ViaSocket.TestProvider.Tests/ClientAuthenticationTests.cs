using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ViaSocket.TestProvider.Tests;

public sealed class ClientAuthenticationTests
{
    [Fact]
    public async Task A_basic_client_is_refused_with_invalid_client_when_it_posts_its_secret()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, verifier) = await driver.AuthorizeAsync();

        using var response = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(code, verifier), ClientAuthMethods.ClientSecretPost);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task A_post_client_is_accepted_with_form_credentials_and_refused_with_basic()
    {
        await using var driver = await OAuthClientDriver.StartAsync(
            OAuthClientDriver.NewClient() with { AuthMethods = ClientAuthMethods.ClientSecretPost });
        var (code, verifier) = await driver.AuthorizeAsync();

        using var basic = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(code, verifier), ClientAuthMethods.ClientSecretBasic);
        using var post = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(code, verifier), ClientAuthMethods.ClientSecretPost);

        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.Equal("invalid_client", await OAuthClientDriver.ReadErrorAsync(basic));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task A_client_allowing_both_methods_accepts_either()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { AuthMethods = ClientAuthMethods.Both });
        var first = await driver.AuthorizeAsync();
        var second = await driver.AuthorizeAsync();

        using var basic = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(first.Code, first.Verifier), ClientAuthMethods.ClientSecretBasic);
        using var post = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(second.Code, second.Verifier), ClientAuthMethods.ClientSecretPost);

        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_are_url_decoded_before_comparison()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient("app:1", "p@ss w+rd/%"));
        var (code, verifier) = await driver.AuthorizeAsync();

        using var response = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(code, verifier));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_a_basic_challenge_and_no_secret_in_the_body()
    {
        await using var driver = await OAuthClientDriver.StartAsync();
        var (code, verifier) = await driver.AuthorizeAsync();

        using var response = await driver.PostFormAsync(driver.Server.TokenUrl, CodeForm(code, verifier), secret: "guessed-secret");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("guessed-secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.Client.ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Using_basic_and_form_secret_together_is_an_invalid_request()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { AuthMethods = ClientAuthMethods.Both });
        var (code, verifier) = await driver.AuthorizeAsync();
        var form = CodeForm(code, verifier);
        form["client_secret"] = driver.Client.ClientSecret;

        using var response = await driver.PostFormAsync(driver.Server.TokenUrl, form);

        Assert.Equal("invalid_request", await OAuthClientDriver.ReadErrorAsync(response));
    }

    [Fact]
    public async Task An_unknown_grant_type_is_unsupported_and_a_json_body_is_an_invalid_request()
    {
        await using var driver = await OAuthClientDriver.StartAsync();

        using var unsupported = await driver.PostFormAsync(driver.Server.TokenUrl, new() { ["grant_type"] = "password" });
        using var json = await driver.Http.PostAsync(driver.Server.TokenUrl, new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

        Assert.Equal("unsupported_grant_type", await OAuthClientDriver.ReadErrorAsync(unsupported));
        Assert.Equal("invalid_request", await OAuthClientDriver.ReadErrorAsync(json));
    }

    private static Dictionary<string, string> CodeForm(string code, string verifier) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = OAuthClientDriver.RedirectUri,
        ["code_verifier"] = verifier,
    };
}
