namespace ViaSocket.TestProvider.Tests;

/// <summary>Providers that split scopes on a raw plus, read parameters under other names, take no response_type, or grant less than asked.</summary>
public sealed class AuthorizationRequestShapeTests
{
    private static readonly string Redirect = Uri.EscapeDataString(OAuthClientDriver.RedirectUri);

    private static Uri Authorize(OAuthClientDriver driver, string query) => new(driver.Server.AuthorizeUrl + "?" + query);

    private static async Task<string?> ErrorOfAsync(OAuthClientDriver driver, string query) =>
        OAuthClientDriver.CallbackParameters(await driver.Server.LoginAsync(Authorize(driver, query)))["error"];

    [Fact]
    public async Task A_plus_client_reads_a_raw_plus_as_the_separator_and_answers_plus_joined_scopes()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { ScopeSeparator = ScopeSeparator.Plus, RequirePkce = false });

        var callback = await driver.Server.LoginAsync(Authorize(driver, $"response_type=code&client_id=crm-app&redirect_uri={Redirect}&scope=read+repo%3Astatus&state=s1"));
        using var token = await driver.ExchangeCodeAsync(OAuthClientDriver.CallbackParameters(callback)["code"]!, null);

        Assert.Equal("read+repo:status", (string?)(await OAuthClientDriver.ReadJsonAsync(token))["scope"]);
    }

    [Theory]
    [InlineData("read%2Bwrite")]
    [InlineData("read%20write")]
    public async Task A_plus_client_refuses_an_encoded_plus_or_space(string scope)
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { ScopeSeparator = ScopeSeparator.Plus, RequirePkce = false });

        Assert.Equal("invalid_scope", await ErrorOfAsync(driver, $"response_type=code&client_id=crm-app&redirect_uri={Redirect}&scope={scope}&state=s1"));
    }

    [Fact]
    public async Task A_client_with_renamed_parameters_and_no_response_type_signs_in_with_those_names_only()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with
        {
            ParameterNames = new Dictionary<string, string> { ["client_id"] = "app_id", ["redirect_uri"] = "redirect_url" },
            ExpectsResponseType = false,
            RequirePkce = false,
        });

        var callback = await driver.Server.LoginAsync(Authorize(driver, $"app_id=crm-app&redirect_url={Redirect}&scope=read&state=s1"));

        Assert.NotNull(OAuthClientDriver.CallbackParameters(callback)["code"]);
        Assert.Equal("s1", OAuthClientDriver.CallbackParameters(callback)["state"]);
        Assert.Equal("invalid_request", await ErrorOfAsync(driver, $"response_type=code&app_id=crm-app&redirect_url={Redirect}&state=s1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => driver.Server.LoginAsync(Authorize(driver, $"client_id=crm-app&redirect_uri={Redirect}&state=s1")));
    }

    [Fact]
    public async Task Withheld_scopes_are_missing_from_the_grant_and_a_no_scope_client_answers_without_scope()
    {
        await using var driver = await OAuthClientDriver.StartAsync(OAuthClientDriver.NewClient() with { WithheldScopes = ["write"] });
        var withheld = await driver.ConnectAsync();
        driver.Server.RegisterClient(driver.Client with { TokenResponseStyle = TokenResponseStyle.NoScope });
        var silent = await driver.ConnectAsync();

        Assert.Equal("read", (string?)withheld["scope"]);
        Assert.False(silent.ContainsKey("scope"));
    }
}
