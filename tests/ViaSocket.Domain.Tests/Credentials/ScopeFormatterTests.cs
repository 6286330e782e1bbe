using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class ScopeFormatterTests
{
    private static AuthorizationDefinition With(string separator, string? custom = null) =>
        new() { ScopeSeparator = separator, CustomScopeSeparator = custom };

    [Theory]
    [InlineData(ScopeSeparators.Space, null, " ")]
    [InlineData(ScopeSeparators.Comma, null, ",")]
    [InlineData(ScopeSeparators.Plus, null, " ")]
    [InlineData(ScopeSeparators.Custom, ";", ";")]
    public void Each_separator_reads_as_the_provider_decodes_it(string separator, string? custom, string expected)
    {
        Assert.Equal(expected, ScopeFormatter.Separator(With(separator, custom)));
    }

    [Fact]
    public void Scopes_are_joined_skipping_blanks_and_repeats()
    {
        Assert.Equal("read,write", ScopeFormatter.Join([" read ", "", "write", "read"], ","));
    }

    [Theory]
    [InlineData("plus")]
    [InlineData("custom")]
    public void An_unknown_separator_or_a_custom_one_without_its_literal_is_refused(string separator)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScopeFormatter.Separator(separator == "plus" ? "PLUS" : separator, null));
    }

    [Fact]
    public void Query_encoding_keeps_only_the_plus_separator_raw()
    {
        string[] scopes = ["read", "a+b"];
        Assert.Equal("read+a%2Bb", ScopeFormatter.EncodeForQuery(scopes, With(ScopeSeparators.Plus)));
        Assert.Equal("read%20a%2Bb", ScopeFormatter.EncodeForQuery(scopes, With(ScopeSeparators.Space)));
        Assert.Equal("read%7Ca%2Bb", ScopeFormatter.EncodeForQuery(scopes, With(ScopeSeparators.Custom, "|")));
    }

    [Theory]
    [InlineData(ScopeSeparators.Comma, null, "read,write")]
    [InlineData(ScopeSeparators.Comma, null, "read write")]
    [InlineData(ScopeSeparators.Plus, null, "read+write")]
    [InlineData(ScopeSeparators.Plus, null, "read write")]
    [InlineData(ScopeSeparators.Custom, "::", "read::write read")]
    [InlineData(ScopeSeparators.Space, null, " read\twrite  ")]
    public void A_granted_scope_string_splits_on_the_separator_and_on_whitespace(string separator, string? custom, string granted)
    {
        Assert.Equal(["read", "write"], ScopeFormatter.Split(granted, With(separator, custom)));
    }

    [Fact]
    public void No_granted_scope_splits_into_nothing()
    {
        Assert.Empty(ScopeFormatter.Split(null, With(ScopeSeparators.Space)));
        Assert.Empty(ScopeFormatter.Split("  ", With(ScopeSeparators.Space)));
    }
}
