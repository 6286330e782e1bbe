using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Ui;

/// <summary>
/// The operator UI in headless Chromium against the real service and the loopback test provider: sign in, build and
/// publish a version, connect an account through the provider's login form, then manage the connection in the list.
/// </summary>
public sealed class UiBrowserTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string PluginId = "crm-ui";
    private const string VersionId = "v1";
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    [Fact]
    public async Task An_operator_builds_publishes_connects_and_disconnects_an_account_in_the_browser()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(ChromiumOptions());
        await using var context = await browser.NewContextAsync(new() { BaseURL = fixture.Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        await SignInAsync(page);
        await BuildAndPublishAsync(page, fixture.Provider);
        await ConnectAsync(page);
        await ManageConnectionAsync(page);
        await SignOutAsync(page);
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/ui/connections");
        Assert.Contains("/ui/login?next=", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#apiKey", fixture.Host.ApiKey.Reveal());
        await ScreenshotAsync(page, "01-login");

        await page.ClickAsync("button[type=submit]");

        await page.WaitForURLAsync("**/ui/connections");
        Assert.DoesNotContain(fixture.Host.ApiKey.Secret, await page.ContentAsync(), StringComparison.Ordinal);
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "viasocket_ui");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
    }

    private static async Task BuildAndPublishAsync(IPage page, TestAuthorizationServer provider)
    {
        var reference = ProviderDefinitions.JavaScript(provider);
        await page.GotoAsync($"/ui/builder?pluginId={PluginId}&versionId={VersionId}");
        await page.Locator("#definition").WaitForAsync();
        Assert.EndsWith("/oauth/callback", await page.InputValueAsync("#redirectUri"), StringComparison.Ordinal);

        // A first save with only the URL: the server's validation errors land next to the members they point at.
        await page.FillAsync("#authUrl", provider.AuthorizeUrl.ToString());
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("[data-pointer='/authorization/clientId'] .field-error")).ToContainTextAsync("client id");
        await Assertions.Expect(page.Locator("[data-pointer='/accessToken'] .field-error")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#block-accessToken")).ToHaveClassAsync("invalid");
        await ScreenshotAsync(page, "02-builder-validation");

        await page.FillAsync("#clientId", ProviderDefinitions.ClientId);
        await page.FillAsync("#clientSecret", ProviderDefinitions.ClientSecret);
        await AddScopesAsync(page);
        await page.FillAsync("#block-accessToken", (string)reference["accessToken"]!["code"]!);
        await page.FillAsync("#block-refreshToken", (string)reference["refreshToken"]!["code"]!);
        await page.FillAsync("#block-revokeToken", (string)reference["revokeToken"]!["code"]!);
        await page.SelectOptionAsync("#mode-testMe", "request");
        await page.FillAsync("#block-testMe", reference["testMe"]!["request"]!.ToJsonString());
        await page.FillAsync("#connectionLabel", "${context.authData.testme.email} @ ${context.authData.subdomain}");
        await page.FillAsync("#allowedUrls", string.Join('\n', reference["allowedUrls"]!.AsArray().Select(u => (string)u!)));
        await page.ClickAsync("#addHeader");
        await page.Locator(".header-row .header-name").FillAsync("Authorization");
        await page.Locator(".header-row .header-value").FillAsync("Bearer ${context.authData.accesstokencode.access_token}");
        var other = new JsonObject
        {
            ["fields"] = new JsonArray(new JsonObject { ["key"] = "subdomain", ["label"] = "Subdomain", ["required"] = true }),
            ["uniqueIdentifier"] = "${context.authData.testme.id}",
            ["authorization"] = new JsonObject { ["issuer"] = provider.Issuer },
        };
        await page.FillAsync("#otherMembers", other.ToJsonString());

        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("Draft saved.");
        await Assertions.Expect(page.Locator(".field-error")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#secretState")).ToHaveTextAsync("(set)");

        // Run the Test Me block with a made-up token: the provider's real answer (401) comes back with the HTTP trace.
        await page.FillAsync("#sampleAuthData", JsonSerializer.Serialize(new { accesstokencode = new { access_token = "made-up-token" } }));
        await page.ClickAsync("[data-run=testMe]");
        var output = page.Locator("#output-testMe");
        await Assertions.Expect(output).ToContainTextAsync("HTTP:");
        await Assertions.Expect(output).ToContainTextAsync($"GET {provider.UserInfoUrl} -> 401");
        await Assertions.Expect(output).ToContainTextAsync("Failure:");
        await ScreenshotAsync(page, "03-builder-run");

        await page.ClickAsync("#publish");
        await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Published");
        await Assertions.Expect(page.Locator("#authUrl")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#save")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "04-builder-published");
    }

    /// <summary>Enter adds a chip, a duplicate is refused, Backspace in the empty box removes the last chip.</summary>
    private static async Task AddScopesAsync(IPage page)
    {
        var input = page.Locator("#scopeInput");
        foreach (var scope in new[] { "read", "write", "extra", "read" })
        {
            await input.FillAsync(scope);
            await input.PressAsync("Enter");
        }

        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("already in the list");
        await input.FillAsync("");
        await input.PressAsync("Backspace");

        var chips = await page.Locator("#scopes .chip").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.scope)");
        Assert.Equal(["read", "write"], chips);
    }

    private static async Task ConnectAsync(IPage page)
    {
        await page.GotoAsync($"/ui/connect?pluginId={PluginId}&versionId={VersionId}&ownerId=user-ui");
        await page.Locator("#start").WaitForAsync();

        // The version's own field is asked for before leaving for the provider.
        await page.FillAsync("#field-subdomain", "acme");
        await ScreenshotAsync(page, "05-connect");

        await page.ClickAsync("#start");

        // The provider's own sign-in and consent form.
        await page.WaitForURLAsync("**/authorize?**");
        await page.FillAsync("input[name=username]", "alice");
        await page.FillAsync("input[name=password]", "password");
        await ScreenshotAsync(page, "06-provider-login");
        await page.ClickAsync("button:has-text('Allow')");

        await page.WaitForURLAsync("**/oauth/callback?**");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-outcome", "success");
        await Assertions.Expect(page.Locator("p")).ToContainTextAsync("alice@example.com");
        await ScreenshotAsync(page, "07-callback-success");
    }

    private static async Task ManageConnectionAsync(IPage page)
    {
        await page.GotoAsync("/ui/connections");
        var row = page.Locator("#connections tbody tr", new() { HasText = "alice@example.com @ acme" });
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "active");
        await Assertions.Expect(row.Locator(".status.status-active")).ToHaveTextAsync("active");
        await Assertions.Expect(row.Locator(".countdown")).ToContainTextAsync("in ");
        await Assertions.Expect(row).ToContainTextAsync($"{PluginId} / {VersionId}");
        await ScreenshotAsync(page, "08-connections-active");

        await row.Locator("button:has-text('Test')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Test passed");

        await row.Locator("button:has-text('Refresh')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Refreshed");
        await Assertions.Expect(row.Locator(".since")).ToContainTextAsync("ago");

        await row.Locator("button:has-text('Disconnect')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Disconnected");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "revoked");
        await Assertions.Expect(row.Locator("button:has-text('Disconnect')")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "09-connections-revoked");
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("button:has-text('Sign out')");

        await page.WaitForURLAsync("**/ui/login");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "viasocket_ui");
        await page.GotoAsync("/ui/connections");
        Assert.Contains("/ui/login?next=", page.Url, StringComparison.Ordinal);
    }

    private static BrowserTypeLaunchOptions ChromiumOptions() => new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    };

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }
}
