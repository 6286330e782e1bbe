using ViaSocket.Domain.Credentials;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class BaseUrlResolverTests
{
    private const string Base = "https://quickbooks.api.intuit.com/v3/company/123";

    [Theory]
    [InlineData("/query?query=select%20*", "https://quickbooks.api.intuit.com/v3/company/123/query?query=select%20*")]
    [InlineData("/invoice/7", "https://quickbooks.api.intuit.com/v3/company/123/invoice/7")]
    public void A_relative_path_is_appended_to_the_base_url(string relative, string expected)
    {
        var (url, problem) = BaseUrlResolver.Resolve(Base, relative);

        Assert.Null(problem);
        Assert.Equal(expected, url!.AbsoluteUri);
    }

    [Theory]
    [InlineData("/../456/query")]
    [InlineData("/%2e%2e/456/query")]
    [InlineData("/x%2F..%2F..%2F456")]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("/a#fragment")]
    [InlineData("query")]
    [InlineData("https://evil.example/x")]
    [InlineData("/a\r\nHost: evil")]
    public void A_path_that_would_leave_the_base_url_is_refused(string relative)
    {
        var (url, problem) = BaseUrlResolver.Resolve(Base, relative);

        Assert.Null(url);
        Assert.NotNull(problem);
    }

    [Fact]
    public void Without_a_base_url_a_relative_path_is_refused()
    {
        Assert.Contains("declares none", BaseUrlResolver.Resolve(null, "/query").Problem, StringComparison.Ordinal);
    }
}
