using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;
using ViaSocket.Testing.Hostile;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class FieldValuesTests
{
    private static readonly FieldDefinition Subdomain = new() { Key = "subdomain", Label = "Subdomain", Required = true };

    public static TheoryData<string> HostileValues => [.. HostileFieldValues.All];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void A_field_used_in_a_host_refuses_every_hostile_value_before_anything_is_rendered(string value)
    {
        var problem = Assert.Single(Validate(Subdomain, value, new UrlFieldUse("subdomain", UrlComponent.Host)));

        Assert.Equal("subdomain", problem.Key);
        Assert.Contains(problem.Code, new[] { FieldProblemCodes.NotUrlSafe, FieldProblemCodes.ControlCharacter });
        if (value.Length > 3)
        {
            // Messages name the field, never the value (it may be a secret field's).
            Assert.DoesNotContain(value, problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_field_used_in_a_host_accepts_a_dns_label()
    {
        Assert.Empty(Validate(Subdomain, "acme-2", new UrlFieldUse("subdomain", UrlComponent.Host)));
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    public void Control_characters_are_refused_in_any_field(string value)
    {
        Assert.Equal(FieldProblemCodes.ControlCharacter, Assert.Single(Validate(Subdomain, value)).Code);
    }

    [Theory]
    [InlineData(FieldFormats.DnsLabel, "acme", true)]
    [InlineData(FieldFormats.DnsLabel, "acme.example", false)]
    [InlineData(FieldFormats.Hostname, "eu.acme.example", true)]
    [InlineData(FieldFormats.Hostname, "eu..acme", false)]
    [InlineData(FieldFormats.Hostname, "acme.example/x", false)]
    [InlineData(FieldFormats.Url, "https://acme.example/base", true)]
    [InlineData(FieldFormats.Url, "http://acme.example", false)]
    [InlineData(FieldFormats.Url, "https://u@acme.example", false)]
    [InlineData(FieldFormats.Url, "https://acme.example?x=1", false)]
    [InlineData(FieldFormats.Email, "ops@acme.example", true)]
    [InlineData(FieldFormats.Email, "Ops <ops@acme.example>", false)]
    [InlineData(FieldFormats.Integer, "-42", true)]
    [InlineData(FieldFormats.Integer, "4 2", false)]
    public void A_declared_format_is_checked(string format, string value, bool accepted)
    {
        var problems = Validate(Subdomain with { Format = format }, value);

        if (accepted)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Equal(FieldProblemCodes.InvalidFormat, Assert.Single(problems).Code);
        }
    }

    [Theory]
    [InlineData("[a-z]{2,8}", "acme", true)]
    [InlineData("[a-z]{2,8}", "ACME", false)]
    [InlineData("acme", "xacme", false)]
    [InlineData("acme", "acmex", false)]
    [InlineData("acme|beta", "beta", true)]
    public void A_pattern_must_match_the_whole_value(string pattern, string value, bool accepted)
    {
        var problems = Validate(Subdomain with { Pattern = pattern }, value);

        Assert.Equal(accepted ? [] : [FieldProblemCodes.PatternMismatch], problems.Select(p => p.Code));
    }

    private static IReadOnlyList<FieldProblem> Validate(FieldDefinition field, string value, params UrlFieldUse[] uses) =>
        FieldValues.Validate([field], new Dictionary<string, string> { [field.Key] = value }, uses).Problems;
}
