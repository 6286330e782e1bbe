using Microsoft.Playwright;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Ui;

/// <summary>The builder's "start from an issuer URL" action in headless Chromium, against the test provider's real metadata.</summary>
public sealed class DiscoveryBuilderUiTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task An_issuer_url_fills_the_editor_and_offers_its_scopes_as_chips()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new() { BaseURL = fixture.Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/ui/login?next=/ui/builder");
        await page.FillAsync("#apiKey", fixture.Host.ApiKey.Reveal());
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/ui/builder");

        await page.FillAsync("#pluginId", "disc-ui");
        await page.FillAsync("#versionId", "v1");
        await page.ClickAsync("#discovery summary");
        await page.FillAsync("#discoverIssuer", fixture.Provider.Issuer);
        await page.FillAsync("#discoverClientId", ProviderDefinitions.ClientId);
        await page.FillAsync("#discoverClientSecret", ProviderDefinitions.ClientSecret);
        await page.ClickAsync("#discover");

        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Draft filled from the issuer's metadata");
        await Assertions.Expect(page.Locator("#authUrl")).ToHaveValueAsync(fixture.Provider.AuthorizeUrl.ToString());
        await Assertions.Expect(page.Locator("#issuer")).ToHaveValueAsync(fixture.Provider.Issuer);
        await Assertions.Expect(page.Locator("#clientAuthentication")).ToHaveValueAsync("basic");
        await Assertions.Expect(page.Locator("#requireIssuerParameter")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#jwksUrl")).ToHaveValueAsync(fixture.Provider.Issuer + JwksEndpoint.Path);
        await Assertions.Expect(page.Locator("#mode-accessToken")).ToHaveValueAsync("request");
        await Assertions.Expect(page.Locator("#secretState")).ToHaveTextAsync("(set)");
        await Assertions.Expect(page.Locator("#offeredScopes .offered-scope")).ToHaveCountAsync(MetadataEndpoint.ScopesSupported.Count);

        await page.ClickAsync("#offeredScopes [data-value=read]");
        await page.ClickAsync("#offeredScopes [data-value=write]");
        await page.ClickAsync("#offeredScopes [data-value=read]");
        await Assertions.Expect(page.Locator("#scopes .chip")).ToHaveCountAsync(2);
        await page.ClickAsync("#publish");
        await page.ClickAsync("#confirm-accept");

        await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Published");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("The issuer's metadata matches.");
        var version = await fixture.Flow.GetJsonAsync("/v1/plugins/disc-ui/auth-versions/v1");
        var authorization = version["definition"]!["authorization"]!;
        Assert.Equal(["read", "write"], authorization["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.True((bool)authorization["requireIssuerParameter"]!);
    }
}
