using ViaSocket.Connections;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WebhookEndpointRulesTests
{
    [Theory]
    [InlineData("https://hooks.example.com/viasocket")]
    [InlineData("https://hooks.example.com:8443/path?team=7")]
    [InlineData("http://127.0.0.1:5000/hooks")]
    [InlineData("http://localhost/hooks")]
    [InlineData("http://[::1]:8080/hooks")]
    public void Https_urls_and_http_to_loopback_are_accepted(string url)
    {
        Assert.Null(WebhookEndpointRules.CheckUrl(url));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/relative/hooks")]
    [InlineData("hooks.example.com/path")]
    [InlineData("http://hooks.example.com/plain-http")]
    [InlineData("ftp://hooks.example.com/file")]
    [InlineData("https://user:password@hooks.example.com/")]
    [InlineData("https://hooks.example.com/#fragment")]
    public void Other_urls_are_refused(string? url)
    {
        Assert.NotNull(WebhookEndpointRules.CheckUrl(url));
    }

    [Fact]
    public void A_url_longer_than_the_limit_is_refused()
    {
        var url = "https://hooks.example.com/" + new string('a', 2100);

        Assert.NotNull(WebhookEndpointRules.CheckUrl(url));
    }

    [Fact]
    public void Known_kinds_are_every_connection_event_kind()
    {
        Assert.Contains(ConnectionEventKinds.ReauthRequired, WebhookEndpointRules.KnownEventKinds);
        Assert.Contains(ConnectionEventKinds.Recovered, WebhookEndpointRules.KnownEventKinds);
        Assert.Contains(ConnectionEventKinds.Created, WebhookEndpointRules.KnownEventKinds);
        Assert.Contains(ConnectionEventKinds.Revoked, WebhookEndpointRules.KnownEventKinds);
    }

    [Fact]
    public void An_event_filter_is_deduplicated_in_order()
    {
        var (kinds, problem) = WebhookEndpointRules.NormalizeEvents(["revoked", "reauth_required", "revoked"]);

        Assert.Null(problem);
        Assert.Equal(["revoked", "reauth_required"], kinds);
    }

    [Fact]
    public void An_absent_event_filter_means_every_kind()
    {
        var (kinds, problem) = WebhookEndpointRules.NormalizeEvents(null);

        Assert.Null(problem);
        Assert.Empty(kinds);
    }

    [Fact]
    public void An_unknown_kind_is_refused_and_named()
    {
        var (_, problem) = WebhookEndpointRules.NormalizeEvents(["revoked", "reauth-required"]);

        Assert.NotNull(problem);
        Assert.Contains("'reauth-required'", problem);
    }
}
