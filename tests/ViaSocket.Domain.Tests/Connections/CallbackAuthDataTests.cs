using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class CallbackAuthDataTests
{
    private static readonly JsonObject Fields = new() { ["subdomain"] = "acme" };

    private static readonly CallbackParameterDefinition[] RealmId = [new() { Name = "realmId", Format = FieldFormats.Integer, Required = true }];

    [Fact]
    public void A_declared_parameter_lands_under_callback_and_the_code_at_the_top()
    {
        var (authData, problem) = CallbackAuthData.Build(Fields, RealmId, Parameters(("code", "c-1"), ("realmId", "4620816365"), ("shop", "x")));

        Assert.Null(problem);
        Assert.Equal("c-1", (string?)authData!["code"]);
        Assert.Equal("4620816365", (string?)authData["callback"]!["realmId"]);
        Assert.Equal("acme", (string?)authData["subdomain"]);
        Assert.False(authData.ContainsKey("shop"));
        Assert.False(authData.ContainsKey("realmId"));
    }

    [Fact]
    public void Callback_parameters_never_replace_a_field_value_or_other_keys()
    {
        var declared = new CallbackParameterDefinition[] { new() { Name = "realmId" } };

        var (strict, _) = CallbackAuthData.Build(Fields, declared, Parameters(("code", "c"), ("subdomain", "attacker"), ("accesstokencode", "x"), ("callback", "x")));
        var (legacy, _) = CallbackAuthData.Build(Fields, [], Parameters(("code", "c"), ("subdomain", "attacker"), ("realmId", "1")));

        Assert.Equal("acme", (string?)strict!["subdomain"]);
        Assert.False(strict.ContainsKey("accesstokencode"));
        Assert.IsType<JsonObject>(strict["callback"]);
        Assert.Equal("acme", (string?)legacy!["subdomain"]);
        Assert.Equal("1", (string?)legacy["realmId"]);
        Assert.Equal("acme", (string?)Fields["subdomain"]);
    }

    [Theory]
    [InlineData("123 OR 1=1")]
    [InlineData("12\r\n34")]
    [InlineData("")]
    [InlineData("1,2")]
    public void A_value_that_does_not_have_the_declared_format_fails_without_being_quoted(string value)
    {
        var (authData, problem) = CallbackAuthData.Build(Fields, RealmId, Parameters(("code", "c"), ("realmId", value)));

        Assert.Null(authData);
        Assert.Contains("'realmId'", problem, StringComparison.Ordinal);
        if (value.Length > 0)
        {
            Assert.DoesNotContain(value, problem!, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("https://attacker.example/x")]
    [InlineData("a b")]
    [InlineData("<script>")]
    [InlineData("x%2F..")]
    public void Without_a_format_a_value_is_limited_to_url_safe_characters(string value)
    {
        var (_, problem) = CallbackAuthData.Build(Fields, [new() { Name = "shop" }], Parameters(("shop", value)));

        Assert.Contains("may only contain", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_longer_than_the_bound_is_refused_and_a_missing_required_one_too()
    {
        var (_, tooLong) = CallbackAuthData.Build(Fields, [new() { Name = "shop" }], Parameters(("shop", new string('a', CallbackAuthData.MaxValueLength + 1))));
        var (_, missing) = CallbackAuthData.Build(Fields, RealmId, Parameters(("code", "c")));
        var (optional, none) = CallbackAuthData.Build(Fields, [new() { Name = "shop" }], Parameters(("code", "c")));

        Assert.Contains($"1 to {CallbackAuthData.MaxValueLength}", tooLong, StringComparison.Ordinal);
        Assert.Contains("requires", missing, StringComparison.Ordinal);
        Assert.Null(none);
        Assert.Empty(optional!["callback"]!.AsObject());
    }

    private static Dictionary<string, string> Parameters(params (string Name, string Value)[] pairs) =>
        pairs.ToDictionary(pair => pair.Name, pair => pair.Value, StringComparer.Ordinal);
}
