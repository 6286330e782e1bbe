using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Tests.Connections;

/// <summary>Allowed and base URLs rendered per connection from fields and token-response values, and the public extras.</summary>
public sealed class PerAccountUrlTests
{
    private static readonly CompiledAuthVersion Salesforce = CompiledAuthVersion.Compile(TestDefinitions.Valid() with
    {
        AllowedUrls = ["https://login.salesforce.com/services/oauth2", "${context.authData.accesstokencode.instance_url}/services/**"],
        OriginHosts = ["*.my.salesforce.com"],
        BaseUrl = "${context.authData.accesstokencode.instance_url}/services",
        PublicExtras = new Dictionary<string, string>
        {
            ["instanceUrl"] = "${context.authData.accesstokencode.instance_url}",
            ["team"] = "team-${context.authData.accesstokencode.team.id}",
            ["teamObject"] = "${context.authData.accesstokencode.team}",
            ["missing"] = "${context.authData.testme.org}",
        },
    }, "r1");

    private static readonly CompiledAuthVersion QuickBooks = CompiledAuthVersion.Compile(TestDefinitions.Valid() with
    {
        AllowedUrls = ["https://quickbooks.api.intuit.com/v3/company/**"],
        BaseUrl = "https://quickbooks.api.intuit.com/v3/company/${context.authData.callback.realmId}",
    }, "r1");

    private static readonly CompiledAuthVersion Zendesk = CompiledAuthVersion.Compile(TestDefinitions.Valid() with
    {
        AllowedUrls = ["https://${context.authData.subdomain}.zendesk.com/api/**"],
        BaseUrl = "https://${context.authData.subdomain}.zendesk.com/api/v2",
    }, "r1");

    [Fact]
    public void A_token_response_host_renders_the_allowed_and_base_urls_and_a_new_value_moves_both()
    {
        var first = Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = "https://acme.my.salesforce.com" } });
        var moved = Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = "https://acme-eu.my.salesforce.com/" } });

        Assert.Equal(["https://login.salesforce.com/services/oauth2", "https://acme.my.salesforce.com/services"], Salesforce.RenderAllowedUrls(first));
        Assert.Equal("https://acme.my.salesforce.com/services", Salesforce.RenderBaseUrl(first));
        Assert.Equal("https://acme-eu.my.salesforce.com/services", Salesforce.RenderBaseUrl(moved));
        Assert.True(Salesforce.AllowedUrlPolicyFor(moved).IsAllowed("https://acme-eu.my.salesforce.com/services/data/v60.0"));
        Assert.False(Salesforce.AllowedUrlPolicyFor(moved).IsAllowed("https://acme.my.salesforce.com/services/data/v60.0"));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://my.salesforce.com.evil.example")]
    [InlineData("http://acme.my.salesforce.com")]
    [InlineData("https://user@acme.my.salesforce.com")]
    [InlineData("https://acme.my.salesforce.com?x=1")]
    [InlineData("https://acme.my.salesforce.com#x")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//acme.my.salesforce.com")]
    [InlineData("https://acme.my.salesforce.com:8443")]
    [InlineData("https://acme.my.salesforce.com\\@evil.example")]
    public void A_hostile_instance_url_allows_nothing_and_has_no_base_url(string instanceUrl)
    {
        var context = Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = instanceUrl } });

        Assert.Equal(["https://login.salesforce.com/services/oauth2"], Salesforce.RenderAllowedUrls(context));
        Assert.Throws<TemplateRenderException>(() => Salesforce.RenderBaseUrl(context));
    }

    [Fact]
    public void A_value_origin_without_origin_hosts_must_still_be_https()
    {
        var version = CompiledAuthVersion.Compile(TestDefinitions.Valid() with { AllowedUrls = ["${context.authData.accesstokencode.instance_url}/api"] }, "r1");

        Assert.Equal(["https://any.example/api"], version.RenderAllowedUrls(Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = "https://any.example" } })));
        Assert.Empty(version.RenderAllowedUrls(Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = "http://any.example" } })));
        Assert.Equal(["http://127.0.0.1:8080/api"], version.RenderAllowedUrls(Context(new JsonObject { ["accesstokencode"] = new JsonObject { ["instance_url"] = "http://127.0.0.1:8080" } })));
    }

    [Fact]
    public void A_callback_value_fills_in_the_base_url_path()
    {
        var context = Context(new JsonObject { ["callback"] = new JsonObject { ["realmId"] = "4620816365" } });

        Assert.Equal("https://quickbooks.api.intuit.com/v3/company/4620816365", QuickBooks.RenderBaseUrl(context));
        Assert.Equal(["https://quickbooks.api.intuit.com/v3/company"], QuickBooks.RenderAllowedUrls(context));
        Assert.Throws<TemplateRenderException>(() => QuickBooks.RenderBaseUrl(Context(new JsonObject { ["callback"] = new JsonObject { ["realmId"] = "../1" } })));
        Assert.Throws<TemplateRenderException>(() => QuickBooks.RenderBaseUrl(Context(new JsonObject { ["callback"] = new JsonObject { ["realmId"] = ".." } })));
    }

    [Fact]
    public void A_subdomain_field_renders_the_allowed_and_base_urls()
    {
        var context = Context(new JsonObject { ["subdomain"] = "acme" });

        Assert.Equal(["https://acme.zendesk.com/api"], Zendesk.RenderAllowedUrls(context));
        Assert.Equal("https://acme.zendesk.com/api/v2", Zendesk.RenderBaseUrl(context));
        Assert.Empty(Zendesk.RenderAllowedUrls(Context(new JsonObject { ["subdomain"] = "evil.example/x?" })));
    }

    [Fact]
    public void A_base_url_outside_the_rendered_allowed_urls_is_an_error()
    {
        var version = CompiledAuthVersion.Compile(TestDefinitions.Valid() with
        {
            AllowedUrls = ["https://${context.authData.subdomain}.zendesk.com/api"],
            BaseUrl = "https://${context.authData.subdomain}.zendesk.com/other",
        }, "r1");

        var error = Assert.Throws<TemplateRenderException>(() => version.RenderBaseUrl(Context(new JsonObject { ["subdomain"] = "acme" })));
        Assert.Contains("allowed URLs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_extras_are_plain_values_and_leave_out_what_is_missing_or_an_object()
    {
        var context = Context(new JsonObject
        {
            ["accesstokencode"] = new JsonObject
            {
                ["access_token"] = "at-secret",
                ["instance_url"] = "https://acme.my.salesforce.com",
                ["team"] = new JsonObject { ["id"] = 42, ["access_token"] = "nested-secret" },
            },
        });

        var extras = Salesforce.PublicExtras.Render(context);

        Assert.Equal(new Dictionary<string, string> { ["instanceUrl"] = "https://acme.my.salesforce.com", ["team"] = "team-42" }, extras);
    }

    private static JsonObject Context(JsonObject authData) => new() { ["authData"] = authData };
}
