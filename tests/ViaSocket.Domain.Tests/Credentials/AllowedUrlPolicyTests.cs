using ViaSocket.Domain.Credentials;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class AllowedUrlPolicyTests
{
    private static readonly AllowedUrlPolicy Policy = new(["https://api.x.com/v1", "https://bücher.example", "http://127.0.0.1:5000/"]);

    [Theory]
    [InlineData("https://api.x.com/v1")]
    [InlineData("https://api.x.com/v1/")]
    [InlineData("https://api.x.com/v1/users?page=2#top")]
    [InlineData("https://API.X.COM/v1/users")]
    [InlineData("https://api.x.com:443/v1/users")]
    [InlineData("https://api.x.com./v1/users")]
    [InlineData("https://api.x.com/v1/./users")]
    [InlineData("https://api.x.com/v1/users/../teams")]
    [InlineData("https://xn--bcher-kva.example/anything")]
    [InlineData("https://BÜCHER.example/anything")]
    [InlineData("http://127.0.0.1:5000/token")]
    public void Urls_under_an_allowed_base_are_allowed(string url)
    {
        Assert.True(Policy.IsAllowed(url), url);
    }

    [Theory]
    [InlineData("https://api.x.com/v10")]
    [InlineData("https://api.x.com/v")]
    [InlineData("https://api.x.com/")]
    [InlineData("https://api.x.com/V1/users")]
    [InlineData("http://api.x.com/v1/users")]
    [InlineData("https://api.x.com:8443/v1/users")]
    [InlineData("https://api.x.com.evil.com/v1/users")]
    [InlineData("https://evil.com/api.x.com/v1")]
    [InlineData("https://evil.com/https://api.x.com/v1")]
    [InlineData("https://api.x.com@evil.com/v1")]
    [InlineData("https://user:pw@api.x.com/v1/users")]
    [InlineData("https://api.x.com/v1/../admin")]
    [InlineData("https://api.x.com/v1/%2e%2e/admin")]
    [InlineData("https://api.x.com/v1/%2E%2E/%2E%2E/admin")]
    [InlineData("https://api.x.com/v1/..%2fadmin")]
    [InlineData("https://api.x.com/v1%2f..%2f..%2fadmin")]
    [InlineData("https://api.x.com/v1%5c..%5cadmin")]
    [InlineData("https://api.x.com\\@evil.com/v1")]
    [InlineData("https://аpi.x.com/v1")]
    [InlineData("ftp://api.x.com/v1")]
    [InlineData("/v1/users")]
    [InlineData("http://127.0.0.1:5001/token")]
    [InlineData("http://localhost:5000/token")]
    [InlineData("not a url")]
    public void Hostile_or_foreign_urls_are_refused(string url)
    {
        Assert.False(Policy.IsAllowed(url), url);
    }

    [Fact]
    public void A_policy_without_valid_entries_allows_nothing()
    {
        var policy = new AllowedUrlPolicy(["api.x.com/v1", "https://u:p@api.x.com", ""]);

        Assert.False(policy.IsAllowed(new Uri("https://api.x.com/v1")));
    }

    [Fact]
    public void A_host_only_base_allows_every_path_on_that_host()
    {
        var policy = new AllowedUrlPolicy(["https://api.x.com"]);

        Assert.True(policy.IsAllowed("https://api.x.com/any/path"));
        Assert.False(policy.IsAllowed("https://sub.api.x.com/any/path"));
    }
}
