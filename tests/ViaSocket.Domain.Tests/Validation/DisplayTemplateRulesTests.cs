using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Validation;

public sealed class DisplayTemplateRulesTests
{
    private static readonly AuthVersionDefinition Valid = TestDefinitions.Valid();

    public static TheoryData<string, string> TokenReads() => new()
    {
        { "access token", "${context.authData.accesstokencode.access_token}" },
        { "refresh token result", "${context.authData.refreshtokencode}" },
        { "revoke result", "${context.authData.revoketokencode.status}" },
        { "authorization code", "${context.authData.code}" },
        { "client secret", "${context.clientSecret}" },
        { "code verifier", "${context.codeVerifier}" },
        { "whole context", "${JSON.stringify(context)}" },
        { "whole authData", "${JSON.stringify(context.authData)}" },
        { "authData as text", "${context.authData}" },
        { "computed key on context", "${context['auth' + 'Data'].accesstokencode.access_token}" },
        { "computed key on authData", "${context.authData[context.authData.testme.key]}" },
        { "template literal key", "${context.authData[`code`]}" },
        { "alias in a function", "${(() => { const c = context; return c.authData.accesstokencode.access_token; })()}" },
        { "context as an argument", "${((c) => c.authData.code)(context)}" },
        { "context in an array", "${[context].map(c => c.clientSecret).join()}" },
        { "context spread", "${({ ...context }).clientSecret}" },
        { "shorthand property", "${JSON.stringify({ context })}" },
        { "Object.values", "${Object.values(context.authData).join(',')}" },
        { "valueOf reaches authData", "${context.authData.valueOf().accesstokencode.access_token}" },
        { "this", "${JSON.stringify(this)}" },
        { "this in a function", "${(function () { return this; })()}" },
        { "optional chaining", "${context?.authData?.accesstokencode?.access_token}" },
        { "string brackets", "${context[\"authData\"][\"refreshtokencode\"].refresh_token}" },
        { "method on a token", "${context.authData.accesstokencode.access_token.slice(0, 4)}" },
        { "token after allowed text", "${context.authData.testme.email} ${context.authData.accesstokencode.access_token}" },
        { "token in a default", "${context.authData.testme.name ?? context.authData.code}" },
        { "token in a nested template literal", "${`${context.authData.accesstokencode.access_token}`}" },
    };

    [Theory]
    [MemberData(nameof(TokenReads))]
    public void A_connection_label_cannot_read_token_material(string form, string label)
    {
        var problems = DefinitionValidator.Validate(Valid with { ConnectionLabel = label });

        Assert.True(problems.Any(p => p is { Pointer: "/connectionLabel", Code: ValidationCodes.LabelReadsSecret }),
            $"{form}: expected {ValidationCodes.LabelReadsSecret}, got: {string.Join("; ", problems)}");
    }

    [Theory]
    [MemberData(nameof(TokenReads))]
    public void A_unique_identifier_cannot_read_token_material(string form, string identifier)
    {
        var problems = DefinitionValidator.Validate(Valid with { UniqueIdentifier = identifier });

        Assert.True(problems.Any(p => p is { Pointer: "/uniqueIdentifier", Code: ValidationCodes.LabelReadsSecret }),
            $"{form}: expected {ValidationCodes.LabelReadsSecret}, got: {string.Join("; ", problems)}");
    }

    [Theory]
    [InlineData("${globalThis.context}")]
    [InlineData("${arguments[0].clientSecret}")]
    public void Other_ways_to_reach_the_context_are_refused_as_unknown_roots(string label)
    {
        var problems = DefinitionValidator.Validate(Valid with { ConnectionLabel = label });

        Assert.Contains(problems, p => p is { Pointer: "/connectionLabel", Code: ValidationCodes.UnknownTemplateRoot });
    }

    [Fact]
    public void A_label_cannot_read_a_secret_field()
    {
        var definition = Valid with
        {
            Fields = [.. Valid.Fields!, new FieldDefinition { Key = "apiKey", Type = FieldTypes.Secret }],
            ConnectionLabel = "${context.authData.testme.email} (${context.authData.apiKey})",
        };

        var problem = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.Equal(("/connectionLabel", ValidationCodes.LabelReadsSecret), (problem.Pointer, problem.Code));
        Assert.Contains("'apiKey' is a secret field", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_message_names_the_member_and_what_to_read_instead()
    {
        var problem = Assert.Single(DefinitionValidator.Validate(Valid with { ConnectionLabel = "${context.authData.accesstokencode.access_token}" }));

        Assert.Contains("context.authData.accesstokencode.access_token", problem.Message, StringComparison.Ordinal);
        Assert.Contains("${context.authData.testme.email}", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${context.authData.testme.email}")]
    [InlineData("${context.authData.subdomain}")]
    [InlineData("${context.authData.testme.name ?? 'x'}")]
    [InlineData("${context.authData.testme.first + ' ' + context.authData.testme.last}")]
    [InlineData("${context.authData.testme.email.toUpperCase()} @ ${context.authData.region}")]
    [InlineData("${JSON.stringify(context.authData.testme)}")]
    [InlineData("${context.authData.testme[context.authData.region]}")]
    [InlineData("${context.clientId}:${context.authData.testme.id}")]
    [InlineData("${context.scopes.split(' ')[0]}")]
    [InlineData("${({ context: 1 }).context} ${context.authData.testme.id}")]
    [InlineData("plain text")]
    public void Labels_and_identifiers_may_read_fields_and_the_test_me_result(string template)
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { ConnectionLabel = template, UniqueIdentifier = template }));
    }
}
