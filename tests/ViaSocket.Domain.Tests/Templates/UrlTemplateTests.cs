using System.Text.Json.Nodes;
using ViaSocket.Domain.Templates;
using ViaSocket.Testing.Hostile;

namespace ViaSocket.Domain.Tests.Templates;

public sealed class UrlTemplateTests
{
    public static TheoryData<string> HostileValues => [.. HostileFieldValues.All];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void No_hostile_value_renders_into_a_host(string value)
    {
        var url = Url("https://${context.authData.subdomain}.zendesk.com/oauth/tokens");

        Assert.Throws<TemplateRenderException>(() => url.Render(Context(("subdomain", value))));
        Assert.NotNull(UrlTemplate.Problem(UrlComponent.Host, value, dottedHost: false));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void A_hostile_value_in_the_path_or_query_stays_one_segment_and_one_parameter_value(string value)
    {
        var url = Url("https://api.example.com/v1/users/${context.authData.id}/items?filter=${context.authData.id}&page=2");
        var context = Context(("id", value));
        if (value is "." or "..")
        {
            Assert.Throws<TemplateRenderException>(() => url.Render(context));
            return;
        }

        var rendered = url.Render(context);

        Assert.Equal("api.example.com", rendered.Host);
        var segments = rendered.AbsolutePath.Split('/');
        Assert.Equal(["", "v1", "users", segments[3], "items"], segments);
        Assert.Equal(value, Uri.UnescapeDataString(segments[3]));
        var query = rendered.Query.TrimStart('?').Split('&');
        Assert.Equal(2, query.Length);
        Assert.Equal("filter=" + Uri.EscapeDataString(value), query[0]);
        Assert.Equal("page=2", query[1]);
        Assert.Equal("", rendered.Fragment);
    }

    [Fact]
    public void Without_encoding_the_same_value_would_have_moved_the_host()
    {
        // The attack this class exists for: the raw template text puts the request on the attacker's host.
        var raw = Template.Parse("https://${context.authData.subdomain}.zendesk.com/oauth/tokens").Render(Context(("subdomain", "attacker.example/x?")));

        Assert.Equal("attacker.example", new Uri(raw).Host);
    }

    [Theory]
    [InlineData("acme", "https://acme.zendesk.com/oauth/tokens")]
    [InlineData("ACME-2", "https://acme-2.zendesk.com/oauth/tokens")]
    public void A_dns_label_fills_in_the_host(string value, string expected)
    {
        Assert.Equal(expected, Url("https://${context.authData.subdomain}.zendesk.com/oauth/tokens").Render(Context(("subdomain", value))).AbsoluteUri);
    }

    [Fact]
    public void Several_labels_only_for_a_field_that_declares_hostname()
    {
        var template = Template.Parse("https://api.${context.authData.host}/v1");
        var context = Context(("host", "eu.example.com"));

        Assert.Throws<TemplateRenderException>(() => UrlTemplate.Create(template).Render(context));
        Assert.Equal("https://api.eu.example.com/v1", UrlTemplate.Create(template, key => key == "host").Render(context).AbsoluteUri);
        Assert.Throws<TemplateRenderException>(() => UrlTemplate.Create(template, key => key == "host").Render(Context(("host", "eu.example.com/x?"))));
    }

    [Theory]
    [InlineData("https://na1.salesforce.com", "https://na1.salesforce.com/services/data")]
    [InlineData("https://acme.my.salesforce.com/", "https://acme.my.salesforce.com/services/data")]
    public void A_value_that_starts_the_url_is_a_whole_base_url(string value, string expected)
    {
        var url = Url("${context.authData.instance_url}/services/data");

        Assert.True(url.StartsWithValue);
        Assert.Equal(expected, url.Render(Context(("instance_url", value))).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://user@attacker.example")]
    [InlineData("https://na1.salesforce.com?x=1")]
    [InlineData("https://na1.salesforce.com#x")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//attacker.example")]
    [InlineData("na1.salesforce.com")]
    [InlineData("file:///etc/passwd")]
    public void A_base_url_value_cannot_carry_user_info_a_query_or_another_scheme(string value)
    {
        Assert.Throws<TemplateRenderException>(() => Url("${context.authData.instance_url}/services").Render(Context(("instance_url", value))));
    }

    [Theory]
    [InlineData("8443", true)]
    [InlineData("0", false)]
    [InlineData("65536", false)]
    [InlineData("80@attacker.example", false)]
    [InlineData("80/x", false)]
    public void A_port_value_is_a_port_number(string value, bool accepted)
    {
        var url = Url("https://h.example.com:${context.authData.port}/x");
        if (accepted)
        {
            Assert.Equal(8443, url.Render(Context(("port", value))).Port);
        }
        else
        {
            Assert.Throws<TemplateRenderException>(() => url.Render(Context(("port", value))));
        }
    }

    [Theory]
    [InlineData("http${context.authData.s}://a.example.com/x")]
    [InlineData("https://${context.authData.user}@a.example.com/x")]
    [InlineData("https://[${context.authData.ip}]/x")]
    [InlineData("${context.authData.base}.example.com/x")]
    public void Values_cannot_sit_in_the_scheme_user_info_or_an_ip_literal(string source)
    {
        Assert.Null(UrlTemplate.TryCreate(Template.Parse(source), null, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Field_uses_name_each_field_read_straight_into_the_url_with_its_component()
    {
        var url = Url("https://${context.authData.subdomain}.example.com:${context.authData.port}/v1/${context.authData.tenant}?q=${context.authData.q ?? 'x'}#${context.authData.accesstokencode.id}");

        Assert.Equal(
            [new("subdomain", UrlComponent.Host), new("port", UrlComponent.Port), new("tenant", UrlComponent.Path), new UrlFieldUse("q", UrlComponent.Query)],
            url.FieldUses);
    }

    private static UrlTemplate Url(string source) => UrlTemplate.Create(Template.Parse(source));

    private static JsonObject Context(params (string Key, string Value)[] authData)
    {
        var data = new JsonObject();
        foreach (var (key, value) in authData)
        {
            data[key] = value;
        }

        return new JsonObject { [ContextKeys.AuthData] = data };
    }
}
