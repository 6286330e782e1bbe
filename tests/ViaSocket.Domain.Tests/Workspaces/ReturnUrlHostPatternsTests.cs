using ViaSocket.Domain.Workspaces;

namespace ViaSocket.Domain.Tests.Workspaces;

/// <summary>Return-URL allowlist entries compare scheme, host and port; entries written as bare hosts keep loading.</summary>
public sealed class ReturnUrlHostPatternsTests
{
    [Theory]
    [InlineData("App.Example.com", "app.example.com")]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("https://app.example.com", "app.example.com")]
    [InlineData("https://app.example.com:443/", "app.example.com")]
    [InlineData("HTTP://LocalHost:3000", "http://localhost:3000")]
    [InlineData("http://localhost:80", "http://localhost")]
    [InlineData("https://*.example.com:8443", "https://*.example.com:8443")]
    public void Entries_are_normalized_to_their_origin(string entry, string expected)
    {
        Assert.Equal((expected, null), ReturnUrlHostPatterns.Normalize(entry));
    }

    [Theory]
    [InlineData("app.example.com:8443")]
    [InlineData("ftp://app.example.com")]
    [InlineData("javascript://app.example.com")]
    [InlineData("https://app.example.com:0")]
    [InlineData("https://app.example.com:65536")]
    [InlineData("https://app.example.com:")]
    [InlineData("https://app.example.com/path")]
    [InlineData("https://user@app.example.com")]
    [InlineData("https://*.com")]
    [InlineData("https://")]
    public void Malformed_origins_are_refused(string entry)
    {
        Assert.NotNull(ReturnUrlHostPatterns.Normalize(entry).Problem);
    }

    [Theory]
    [InlineData("https://app.example.com/done", true)]
    [InlineData("https://app.example.com:443/done", true)]
    [InlineData("http://app.example.com/done", false)]
    [InlineData("https://app.example.com:8443/done", false)]
    [InlineData("http://app.example.com:443/done", false)]
    public void A_bare_host_allows_https_on_the_default_port_only(string url, bool allowed)
    {
        Assert.Equal(allowed, ReturnUrlHostPatterns.Allows(["app.example.com"], new Uri(url)));
    }

    [Theory]
    [InlineData("http://localhost:3000/cb", true)]
    [InlineData("https://localhost:3000/cb", false)]
    [InlineData("http://localhost:3001/cb", false)]
    [InlineData("http://localhost/cb", false)]
    public void An_explicit_origin_allows_its_scheme_and_port_only(string url, bool allowed)
    {
        Assert.Equal(allowed, ReturnUrlHostPatterns.Allows(["http://localhost:3000"], new Uri(url)));
    }

    [Theory]
    [InlineData("https://a.example.com:8443/x", true)]
    [InlineData("https://a.b.example.com:8443/x", true)]
    [InlineData("https://example.com:8443/x", false)]
    [InlineData("https://a.example.com/x", false)]
    [InlineData("http://a.example.com:8443/x", false)]
    public void A_suffix_pattern_with_an_origin_still_matches_subdomains(string url, bool allowed)
    {
        Assert.Equal(allowed, ReturnUrlHostPatterns.Allows(["https://*.example.com:8443"], new Uri(url)));
    }
}
