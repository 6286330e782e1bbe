using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Validation;

/// <summary>Validation of originHosts, baseUrl, callbackParameters and publicExtras, and of '/**' in allowed URLs.</summary>
public sealed class PerAccountRulesTests
{
    private static readonly AuthVersionDefinition Valid = TestDefinitions.Valid();

    private static readonly AuthVersionDefinition Salesforce = Valid with
    {
        AllowedUrls = ["https://api.example.com/v1", "${context.authData.accesstokencode.instance_url}/services/**"],
        OriginHosts = ["*.my.salesforce.com"],
        BaseUrl = "${context.authData.accesstokencode.instance_url}/services",
        PublicExtras = new Dictionary<string, string>
        {
            ["instanceUrl"] = "${context.authData.accesstokencode.instance_url}",
            ["realmId"] = "${context.authData.callback.realmId}",
            ["teamId"] = "team-${context.authData.accesstokencode.team.id}",
        },
        CallbackParameters = [new CallbackParameterDefinition { Name = "realmId", Format = FieldFormats.Integer, Required = true }],
    };

    [Fact]
    public void A_salesforce_and_quickbooks_like_definition_has_no_problems()
    {
        Assert.Empty(DefinitionValidator.Validate(Salesforce));
    }

    public static TheoryData<string, Func<AuthVersionDefinition, AuthVersionDefinition>, string, string> Cases() => new()
    {
        { "wildcard host", d => d with { AllowedUrls = ["https://*.zendesk.com/api"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlWildcard },
        { "inner wildcard", d => d with { AllowedUrls = ["https://api.example.com/*/x"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlWildcard },
        { "bad origin host", d => d with { OriginHosts = ["*.com"] }, "/originHosts/0", ValidationCodes.InvalidOriginHost },
        { "http origin host", d => d with { OriginHosts = ["http://*.salesforce.com"] }, "/originHosts/0", ValidationCodes.InsecureUrl },
        { "base url query", d => d with { BaseUrl = "https://api.example.com/v1?x=1" }, "/baseUrl", ValidationCodes.InvalidUrl },
        { "base url http", d => d with { BaseUrl = "http://api.example.com/v1" }, "/baseUrl", ValidationCodes.InsecureUrl },
        { "base url outside", d => d with { BaseUrl = "https://other.example.com/v1" }, "/baseUrl", ValidationCodes.BaseUrlNotAllowed },
        { "base url above", d => d with { BaseUrl = "https://api.example.com" }, "/baseUrl", ValidationCodes.BaseUrlNotAllowed },
        { "base url user info", d => d with { BaseUrl = "https://${context.authData.subdomain}@api.example.com/v1" }, "/baseUrl", ValidationCodes.UrlValueMisplaced },
        { "base url token", d => d with { BaseUrl = "https://api.example.com/v1/${context.authData.accesstokencode.access_token}" }, "/baseUrl", ValidationCodes.PublicValueReadsSecret },
        { "callback name", d => d with { CallbackParameters = [new() { Name = "realm id" }] }, "/callbackParameters/0/name", ValidationCodes.InvalidCallbackParameter },
        { "callback code", d => d with { CallbackParameters = [new() { Name = "code" }] }, "/callbackParameters/0/name", ValidationCodes.ReservedCallbackParameter },
        { "callback state", d => d with { CallbackParameters = [new() { Name = "State" }] }, "/callbackParameters/0/name", ValidationCodes.ReservedCallbackParameter },
        { "callback twice", d => d with { CallbackParameters = [new() { Name = "realmId" }, new() { Name = "realmId" }] }, "/callbackParameters/1/name", ValidationCodes.DuplicateCallbackParameter },
        { "callback format", d => d with { CallbackParameters = [new() { Name = "realmId", Format = "digits" }] }, "/callbackParameters/0/format", ValidationCodes.UnknownFieldFormat },
        { "callback pattern", d => d with { CallbackParameters = [new() { Name = "realmId", Pattern = "(a)\\1" }] }, "/callbackParameters/0/pattern", ValidationCodes.InvalidFieldPattern },
        { "field named callback", d => d with { Fields = [new FieldDefinition { Key = "callback" }] }, "/fields/0/key", ValidationCodes.ReservedFieldKey },
        { "extra name", d => d with { PublicExtras = new Dictionary<string, string> { ["instance-url"] = "x" } }, "/publicExtras/instance-url", ValidationCodes.InvalidExtraName },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_problem_is_reported_at_its_member(string name, Func<AuthVersionDefinition, AuthVersionDefinition> change, string pointer, string code)
    {
        var problems = DefinitionValidator.Validate(change(Valid));

        Assert.True(problems.Any(p => p.Pointer == pointer && p.Code == code), $"{name}: {string.Join("; ", problems.Select(p => $"{p.Pointer} {p.Code}"))}");
    }

    [Theory]
    [InlineData("${context.authData.accesstokencode.access_token}")]
    [InlineData("${context.authData.accesstokencode.refresh_token}")]
    [InlineData("${context.authData.accesstokencode.id_token}")]
    [InlineData("${context.authData.accesstokencode.bot.bot_access_token}")]
    [InlineData("${context.authData.refreshtokencode.Access_Token}")]
    [InlineData("${context.authData.accesstokencode}")]
    [InlineData("${JSON.stringify(context.authData.accesstokencode)}")]
    [InlineData("${context.authData.accesstokencode[context.authData.region]}")]
    [InlineData("${context.authData.code}")]
    [InlineData("${context.authData.apiKey}")]
    [InlineData("${context.clientSecret}")]
    [InlineData("${context.codeVerifier}")]
    [InlineData("${context.authData}")]
    [InlineData("${JSON.stringify(context)}")]
    [InlineData("${context.authData.testme.valueOf()}")]
    [InlineData("${context.authData.testme.client_secret}")]
    public void A_public_extra_that_reads_a_token_or_a_secret_is_refused(string template)
    {
        var definition = Valid with
        {
            Fields = [.. Valid.Fields, new FieldDefinition { Key = "apiKey", Type = FieldTypes.Secret }],
            PublicExtras = new Dictionary<string, string> { ["leak"] = template },
        };

        var problems = DefinitionValidator.Validate(definition);

        Assert.Contains(problems, p => p.Pointer == "/publicExtras/leak" && p.Code == ValidationCodes.PublicValueReadsSecret);
    }

    [Theory]
    [InlineData("https://api.example.com/v1/**")]
    [InlineData("https://${context.authData.subdomain}.zendesk.com/api/**")]
    [InlineData("${context.authData.accesstokencode.instance_url}/services/**")]
    public void An_allowed_url_may_end_with_a_subtree_marker(string url)
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { AllowedUrls = [url] }));
    }

    [Fact]
    public void A_literal_base_url_below_an_entry_written_with_the_subtree_marker_is_allowed()
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { AllowedUrls = ["https://api.example.com/v1/**"], BaseUrl = "https://api.example.com/v1/company" }));
    }
}
