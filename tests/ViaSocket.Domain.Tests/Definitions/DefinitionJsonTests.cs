using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Definitions;

public sealed class DefinitionJsonTests
{
    [Fact]
    public void A_serialized_definition_parses_back_to_an_equal_shape()
    {
        var definition = TestDefinitions.Valid();

        var json = DefinitionJson.Serialize(definition);
        var result = DefinitionJson.Parse(json);

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        Assert.Equal(json, DefinitionJson.Serialize(result.Definition!));
        Assert.Contains("\"accessToken\"", json);
        Assert.Contains("\"scopeSeparator\":\"space\"", json);
    }

    [Fact]
    public void Members_are_camel_case_and_defaults_apply()
    {
        var result = DefinitionJson.Parse("""
            { "authorization": { "url": "https://x.example.com/a", "clientId": "c", "scopes": ["a"] },
              "testMe": { "request": { "url": "https://x.example.com/me" } } }
            """);

        Assert.True(result.Succeeded);
        Assert.Equal(PkceModes.S256, result.Definition!.Authorization!.Pkce);
        Assert.Equal("GET", result.Definition.TestMe!.Request!.Method);
        Assert.Empty(result.Definition.Fields);
    }

    [Fact]
    public void Every_unknown_member_is_reported_with_its_pointer()
    {
        var result = DefinitionJson.Parse("""
            { "colour": 1,
              "authorization": { "url": "https://x", "clientSecrett": "s" },
              "fields": [ { "key": "a" }, { "key": "b", "placeholder": "x" } ],
              "append": { "headers": { "Any-Name": "is fine" }, "cookies": {} } }
            """);

        Assert.False(result.Succeeded);
        Assert.All(result.Problems, problem => Assert.Equal(ValidationCodes.UnknownMember, problem.Code));
        Assert.Equal(["/colour", "/authorization/clientSecrett", "/fields/1/placeholder", "/append/cookies"],
            result.Problems.Select(problem => problem.Pointer));
    }

    [Theory]
    [InlineData("""{ "connectionLabel": "\ud800" }""")]
    [InlineData("""{ "\udfff": 1 }""")]
    public void A_lone_surrogate_escape_is_reported_as_malformed_json(string json)
    {
        var result = DefinitionJson.Parse(json);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ValidationCodes.MalformedJson, problem.Code);
    }

    [Fact]
    public void Malformed_json_is_reported_with_its_position_and_without_its_content()
    {
        var result = DefinitionJson.Parse("""
            { "authorization": { "clientSecret": "top-secret" x } }
            """);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ValidationCodes.MalformedJson, problem.Code);
        Assert.Equal("/authorization/clientSecret", problem.Pointer);
        Assert.Contains("line 1", problem.Message);
        Assert.DoesNotContain("top-secret", problem.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_reported_at_its_pointer()
    {
        var result = DefinitionJson.Parse("""{ "fields": [ { "key": "a" }, { "key": 5 } ] }""");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ValidationCodes.InvalidType, problem.Code);
        Assert.Equal("/fields/1/key", problem.Pointer);
    }

    [Fact]
    public void Null_for_a_non_nullable_member_is_a_type_error()
    {
        var result = DefinitionJson.Parse("""{ "allowedUrls": null }""");

        Assert.Equal(ValidationCodes.InvalidType, Assert.Single(result.Problems).Code);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void A_document_that_is_not_an_object_is_refused(string json)
    {
        Assert.Equal(ValidationCodes.InvalidType, Assert.Single(DefinitionJson.Parse(json).Problems).Code);
    }

    [Fact]
    public void A_repeated_member_is_malformed()
    {
        var result = DefinitionJson.Parse("""{ "connectionLabel": "a", "connectionLabel": "b" }""");

        Assert.Equal(ValidationCodes.MalformedJson, Assert.Single(result.Problems).Code);
    }

    [Fact]
    public void An_oversized_document_is_refused_before_parsing()
    {
        var json = "{\"connectionLabel\":\"" + new string('a', DefinitionJson.MaxDocumentBytes) + "\"}";

        var problem = Assert.Single(DefinitionJson.Parse(json).Problems);

        Assert.Equal(ValidationCodes.TooLarge, problem.Code);
        Assert.Equal("", problem.Pointer);
    }

    [Theory]
    [InlineData("$.fields[2].key", "/fields/2/key")]
    [InlineData("$.append.headers['X-a.b/c']", "/append/headers/X-a.b~1c")]
    [InlineData("$", "")]
    public void Serializer_paths_become_json_pointers(string path, string pointer)
    {
        Assert.Equal(pointer, DefinitionJson.ToPointer(path));
    }
}
