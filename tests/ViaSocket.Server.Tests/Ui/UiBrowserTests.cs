using System.Net.Http.Json;
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

    [Fact]
    public async Task Opening_a_version_in_the_builder_and_saving_it_keeps_every_member()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(ChromiumOptions());
        await using var context = await browser.NewContextAsync(new() { BaseURL = fixture.Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await SignInAsync(page);

        // Every member set away from its default, then the edge cases: an explicitly empty refreshOnStatus, tokens
        // that never expire, and members the form has no editor for (refreshOn, a block's outcomes), kept as loaded.
        var everyMember = EveryMemberDefinition(fixture.Provider);
        var edgeCases = ProviderDefinitions.JavaScript(fixture.Provider);
        edgeCases["refreshOnStatus"] = new JsonArray();
        edgeCases["tokenExpiry"] = new JsonObject { ["never"] = true };
        edgeCases["refreshOn"] = new JsonArray(new JsonObject
        {
            ["status"] = new JsonArray(200),
            ["match"] = new JsonObject { ["ok"] = new JsonArray("false"), ["error"] = new JsonArray("token_expired") },
        });
        edgeCases["refreshToken"]!["outcomes"] = new JsonArray(new JsonObject
        {
            ["match"] = new JsonObject { ["error"] = new JsonArray("bad_refresh_token") },
            ["then"] = "permanent",
        });
        foreach (var (versionId, definition) in new[] { ("every-member", everyMember), ("edge-cases", edgeCases) })
        {
            var path = $"/v1/plugins/{PluginId}/auth-versions/{versionId}";
            using (var put = await fixture.Flow.Api.PutAsJsonAsync(path, definition))
            {
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            }

            var before = await fixture.Flow.GetJsonAsync(path);

            await page.GotoAsync($"/ui/builder?pluginId={PluginId}&versionId={versionId}");
            await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Draft");
            await page.ClickAsync("#save");
            await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("Draft saved.");

            var after = await fixture.Flow.GetJsonAsync(path);
            Assert.True(JsonNode.DeepEquals(before["definition"], after["definition"]), $"before: {before["definition"]}\nafter:  {after["definition"]}");
            Assert.True((bool)after["clientSecretSet"]!);
        }

        await ScreenshotAsync(page, "10-builder-every-member");

        // Published: the same editors show the members, all read-only.
        using (var publish = await fixture.Flow.Api.PostAsync($"/v1/plugins/{PluginId}/auth-versions/every-member/publish", null))
        {
            Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync());
        }

        await page.GotoAsync($"/ui/builder?pluginId={PluginId}&versionId=every-member");
        await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Published");
        Assert.Equal(["tenant", "region", "plan"], await page.Locator("#fields .field-key").EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.value)"));
        Assert.Equal(["free", "pro"], await page.Locator("#fields .field-row").Nth(2).Locator(".chip").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.value)"));
        Assert.Equal(["401", "403"], await page.Locator("#refreshOnStatus .chip").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.value)"));
        await Assertions.Expect(page.Locator("#extraParams .kv-row[data-pointer='/authorization/extraParams/access_type'] .kv-value")).ToHaveValueAsync("offline");
        await Assertions.Expect(page.Locator("#issuer")).ToHaveValueAsync(fixture.Provider.Issuer);
        foreach (var selector in new[] { ".field-key", ".field-required", ".kv-name", ".kv-value", ".kv-add", ".chip-input", ".chip button", "#addField", "#issuer", "#expiryUnit", "#save" })
        {
            var controls = page.Locator(selector);
            Assert.True(await controls.CountAsync() > 0, selector);
            Assert.All(await controls.EvaluateAllAsync<bool[]>("controls => controls.map(c => c.disabled)"), Assert.True);
        }

        await ScreenshotAsync(page, "11-builder-published-every-member");
    }

    [Fact]
    public async Task The_connect_page_offers_the_optional_scopes_and_the_list_shows_what_was_granted()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["authorization"]!["optionalScopes"] = new JsonArray("admin", "billing");
        await fixture.Flow.PublishAsync("crm-ui-scopes", VersionId, definition);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(ChromiumOptions());
        await using var context = await browser.NewContextAsync(new() { BaseURL = fixture.Host.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await SignInAsync(page);

        await page.GotoAsync($"/ui/connect?pluginId=crm-ui-scopes&versionId={VersionId}&ownerId=user-ui-scopes");
        await page.Locator("#start").WaitForAsync();
        await Assertions.Expect(page.Locator("#requiredScopes")).ToHaveTextAsync("Always asked for: read, write");
        await page.CheckAsync("input[data-optional-scope=admin]");
        await ScreenshotAsync(page, "12-connect-optional-scopes");
        await page.ClickAsync("#start");

        // The provider's consent page names what it was asked for.
        await page.WaitForURLAsync("**/authorize?**");
        await Assertions.Expect(page.Locator("p").First).ToContainTextAsync("read, write, admin");
        await page.FillAsync("input[name=username]", "alice");
        await page.FillAsync("input[name=password]", "password");
        await page.ClickAsync("button:has-text('Allow')");
        await page.WaitForURLAsync("**/oauth/callback?**");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-outcome", "success");

        await page.GotoAsync("/ui/connections");
        var row = page.Locator("#connections tbody tr", new() { HasText = $"crm-ui-scopes / {VersionId}" });
        await row.Locator("button:has-text('Scopes')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("Granted scopes of alice@example.com: read, write, admin");
        await ScreenshotAsync(page, "13-connections-granted-scopes");
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
        Assert.Equal(0, await page.Locator("#otherMembers").CountAsync());

        // A first save with mistakes: the server's validation errors land next to the member, field row and map
        // entry they point at.
        await page.FillAsync("#authUrl", provider.AuthorizeUrl.ToString());
        var subdomain = await AddFieldAsync(page, "subdomain", "Subdomain", "Your account's subdomain", "string", required: true);
        var region = await AddFieldAsync(page, "2region", "Region", "", "select", required: false);
        await AddEntryAsync(page, "#extraParams", "state", "mine");
        await AddEntryAsync(page, "#appendQuery", "tenant", "${context.authdata.subdomain}");
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("[data-pointer='/authorization/clientId'] .field-error")).ToContainTextAsync("client id");
        await Assertions.Expect(page.Locator("[data-pointer='/accessToken'] .field-error")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#block-accessToken")).ToHaveClassAsync("invalid");
        await Assertions.Expect(subdomain.Locator(".field-error")).ToHaveCountAsync(0);
        await Assertions.Expect(region.Locator("[data-pointer='/fields/1/key'] .field-error")).ToContainTextAsync("/fields/1/key");
        await Assertions.Expect(region.Locator(".field-key")).ToHaveClassAsync("field-key invalid");
        await Assertions.Expect(region.Locator("[data-pointer='/fields/1/options'] .field-error")).ToContainTextAsync("options");
        var reserved = page.Locator("#extraParams .kv-row[data-pointer='/authorization/extraParams/state']");
        await Assertions.Expect(reserved.Locator(".field-error")).ToContainTextAsync("set by the service");
        var tenant = page.Locator("#appendQuery .kv-row[data-pointer='/append/query/tenant']");
        await Assertions.Expect(tenant.Locator(".field-error")).ToContainTextAsync("/append/query/tenant");
        await ScreenshotAsync(page, "02-builder-validation");

        await region.Locator(".field-key").FillAsync("region");
        await AddChipsAsync(region.Locator(".chip-input"), "eu", "us");
        await region.Locator(".field-default").FillAsync("eu");
        var extraParam = page.Locator("#extraParams .kv-row").First; // the reserved one, renamed below
        await extraParam.Locator(".kv-name").FillAsync("prompt");
        await extraParam.Locator(".kv-value").FillAsync("consent");
        await Assertions.Expect(extraParam).ToHaveAttributeAsync("data-pointer", "/authorization/extraParams/prompt");
        await tenant.Locator(".kv-value").FillAsync("${context.authData.subdomain}");
        await AddEntryAsync(page, "#appendQuery", "region", "${context.authData.region}");
        await page.FillAsync("#issuer", provider.Issuer);
        await page.FillAsync("#clientId", ProviderDefinitions.ClientId);
        await page.FillAsync("#clientSecret", ProviderDefinitions.ClientSecret);
        await AddScopesAsync(page);
        await page.FillAsync("#block-accessToken", (string)reference["accessToken"]!["code"]!);
        await page.FillAsync("#block-refreshToken", (string)reference["refreshToken"]!["code"]!);
        await page.FillAsync("#block-revokeToken", (string)reference["revokeToken"]!["code"]!);
        await page.SelectOptionAsync("#mode-testMe", "request");
        await page.FillAsync("#block-testMe", reference["testMe"]!["request"]!.ToJsonString());
        await page.FillAsync("#connectionLabel", "${context.authData.testme.email} @ ${context.authData.subdomain}");
        await page.FillAsync("#uniqueIdentifier", "${context.authData.testme.id}");
        await page.FillAsync("#allowedUrls", string.Join('\n', reference["allowedUrls"]!.AsArray().Select(u => (string)u!)));
        await AddEntryAsync(page, "#appendHeaders", "Authorization", "Bearer ${context.authData.accesstokencode.access_token}");
        await page.FillAsync("#refreshMarginSeconds", "120");
        await page.UncheckAsync("#refreshOnStatusDefault");
        await AddChipsAsync(page.Locator("#refreshOnStatusInput"), "401", "403");

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

        // Publishing cannot be undone: it asks first, and Cancel leaves the draft as it is.
        await page.ClickAsync("#publish");
        await Assertions.Expect(page.Locator("dialog.confirm")).ToContainTextAsync("read-only");
        await page.ClickAsync("#confirm-cancel");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Not published.");
        await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Draft");
        await Assertions.Expect(page.Locator("#save")).ToBeEnabledAsync();

        await page.ClickAsync("#publish");
        await page.ClickAsync("#confirm-accept");
        await Assertions.Expect(page.Locator("#versionStatus")).ToContainTextAsync("Published");
        await Assertions.Expect(page.Locator("#authUrl")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#save")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#fields .field-key").Nth(1)).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#extraParams .kv-name")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "04-builder-published");
    }

    /// <summary>Adds a row to the fields table and fills it; returns the row.</summary>
    private static async Task<ILocator> AddFieldAsync(IPage page, string key, string label, string help, string type, bool required)
    {
        // Locators are lazy: pin the new row by its position, not as "last".
        var row = page.Locator("#fields .field-row").Nth(await page.Locator("#fields .field-row").CountAsync());
        await page.ClickAsync("#addField");
        await row.Locator(".field-key").FillAsync(key);
        await row.Locator(".field-label").FillAsync(label);
        await row.Locator(".field-help").FillAsync(help);
        await row.Locator(".field-type").SelectOptionAsync(type);
        if (required)
        {
            await row.Locator(".field-required").CheckAsync();
        }

        return row;
    }

    /// <summary>Adds an entry to one of the builder's key-value tables (extra params, append headers/query/body).</summary>
    private static async Task AddEntryAsync(IPage page, string table, string name, string value)
    {
        var row = page.Locator(table + " .kv-row").Nth(await page.Locator(table + " .kv-row").CountAsync());
        await page.Locator(table + " .kv-add").ClickAsync();
        await row.Locator(".kv-name").FillAsync(name);
        await row.Locator(".kv-value").FillAsync(value);
    }

    private static async Task AddChipsAsync(ILocator input, params string[] values)
    {
        foreach (var value in values)
        {
            await input.FillAsync(value);
            await input.PressAsync("Enter");
        }
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

        var chips = await page.Locator("#scopes .chip").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.value)");
        Assert.Equal(["read", "write"], chips);
    }

    private static async Task ConnectAsync(IPage page)
    {
        await page.GotoAsync($"/ui/connect?pluginId={PluginId}&versionId={VersionId}&ownerId=user-ui");
        await page.Locator("#start").WaitForAsync();

        // The version's own fields, as the builder's fields table defined them, are asked for before leaving for the provider.
        await Assertions.Expect(page.Locator("label[for=field-subdomain]")).ToHaveTextAsync("Subdomain *");
        await Assertions.Expect(page.Locator("#field-region")).ToHaveValueAsync("eu");
        await page.FillAsync("#field-subdomain", "acme");
        await page.SelectOptionAsync("#field-region", "us");
        await ScreenshotAsync(page, "05-connect");

        await page.ClickAsync("#start");

        // The provider's own sign-in and consent form.
        await page.WaitForURLAsync("**/authorize?**");

        // The login form carries every parameter the provider received: the builder's extra parameter is among them.
        await Assertions.Expect(page.Locator("input[type=hidden][name=prompt]")).ToHaveValueAsync("consent");
        await page.FillAsync("input[name=username]", "alice");
        await page.FillAsync("input[name=password]", "password");
        await ScreenshotAsync(page, "06-provider-login");
        await page.ClickAsync("button:has-text('Allow')");

        await page.WaitForURLAsync("**/oauth/callback?**");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-outcome", "success");
        await Assertions.Expect(page.Locator("p")).ToContainTextAsync("alice@example.com");
        await ScreenshotAsync(page, "07-callback-success");
    }

    private async Task ManageConnectionAsync(IPage page)
    {
        await page.GotoAsync("/ui/connections");
        var row = page.Locator("#connections tbody tr", new() { HasText = "alice@example.com @ acme" });
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "active");
        await Assertions.Expect(row.Locator(".status.status-active")).ToHaveTextAsync("active");
        await Assertions.Expect(row.Locator(".countdown")).ToContainTextAsync("in ");
        await Assertions.Expect(row).ToContainTextAsync($"{PluginId} / {VersionId}");
        await ScreenshotAsync(page, "08-connections-active");

        // The append query entries made in the builder are part of the credentials handed to engines.
        var connectionId = await row.GetAttributeAsync("data-connection-id");
        var credentials = await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        Assert.Equal("acme", (string?)credentials["query"]?["tenant"]);
        Assert.Equal("us", (string?)credentials["query"]?["region"]);

        await row.Locator("button:has-text('Test')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Test passed");

        await row.Locator("button:has-text('Refresh')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Refreshed");
        await Assertions.Expect(row.Locator(".since")).ToContainTextAsync("ago");

        // Disconnecting revokes the grant: it asks first, and Escape keeps the connection.
        await row.Locator("button:has-text('Disconnect')").ClickAsync();
        await Assertions.Expect(page.Locator("dialog.confirm")).ToContainTextAsync("revoke the grant");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Still connected.");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "active");

        await row.Locator("button:has-text('Disconnect')").ClickAsync();
        await page.ClickAsync("#confirm-accept");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Disconnected");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "revoked");
        await ScreenshotAsync(page, "09-connections-revoked");

        // A revoked row can leave the list: it holds no token any more.
        await row.Locator("button:has-text('Remove')").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Removed:");
        await Assertions.Expect(row).ToHaveCountAsync(0);
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("button:has-text('Sign out')");

        await page.WaitForURLAsync("**/ui/login");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "viasocket_ui");
        await page.GotoAsync("/ui/connections");
        Assert.Contains("/ui/login?next=", page.Url, StringComparison.Ordinal);
    }

    /// <summary>A definition with every SPEC section-2 member set, most of them away from their defaults.</summary>
    private static JsonObject EveryMemberDefinition(TestAuthorizationServer provider)
    {
        var definition = ProviderDefinitions.JavaScript(provider);
        definition["fields"] = new JsonArray(
            new JsonObject { ["key"] = "tenant", ["label"] = "Tenant", ["help"] = "Your tenant", ["required"] = true, ["default"] = "acme", ["format"] = "dnsLabel", ["pattern"] = "[a-z]{2,20}" },
            new JsonObject { ["key"] = "region", ["type"] = "secret" },
            new JsonObject { ["key"] = "plan", ["label"] = "Plan", ["type"] = "select", ["options"] = new JsonArray("free", "pro"), ["default"] = "pro" });
        var authorization = definition["authorization"]!.AsObject();
        authorization["scopeSeparator"] = "custom";
        authorization["customScopeSeparator"] = "; ";
        authorization["optionalScopes"] = new JsonArray("admin", "billing");
        authorization["parameterNames"] = new JsonObject { ["client_id"] = "app_id" };
        authorization["omitParameters"] = new JsonArray("response_type");
        authorization["pkceRequired"] = true;
        authorization["clientAuthentication"] = "both";
        authorization["pkce"] = "plain";
        authorization["extraParams"] = new JsonObject { ["access_type"] = "offline", ["login_hint"] = "${context.authData.tenant}" };
        definition["refreshToken"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = "POST",
                ["url"] = provider.TokenUrl.ToString(),
                ["headers"] = new JsonObject { ["Accept"] = "application/json" },
                ["query"] = new JsonObject { ["tenant"] = "${context.authData.tenant}" },
                ["bodyType"] = "form",
                ["body"] = new JsonObject { ["grant_type"] = "refresh_token", ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}" },
            },
        };
        definition["maskConnectionLabel"] = true;
        definition["allowedUrls"] = new JsonArray(new Uri(provider.BaseAddress, "/api").ToString().TrimEnd('/'), new Uri(provider.BaseAddress, "/v2").ToString().TrimEnd('/'));
        definition["append"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}", ["X-Tenant"] = "${context.authData.tenant}" },
            ["query"] = new JsonObject { ["tenant"] = "${context.authData.tenant}" },
            ["body"] = new JsonObject { ["account"] = "${context.authData.testme.id}" },
        };
        definition["tokenExpiry"] = new JsonObject
        {
            ["expiresInPath"] = "data.ttl",
            ["unit"] = "milliseconds",
            ["defaultLifetimeSeconds"] = 3600,
            ["refreshMarginSeconds"] = 60,
        };
        definition["refreshOnStatus"] = new JsonArray(401, 403);
        return definition;
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
