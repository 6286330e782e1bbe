using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Validation;

public sealed class DefinitionValidatorTests
{
    private static readonly AuthVersionDefinition Valid = TestDefinitions.Valid();

    [Fact]
    public void A_complete_definition_has_no_problems()
    {
        Assert.Empty(DefinitionValidator.Validate(Valid));
    }

    [Fact]
    public void A_slack_like_refresh_on_rule_on_a_200_body_is_accepted()
    {
        var slack = Valid with
        {
            RefreshOn =
            [
                new RefreshOnRule { Status = [200], Match = new Dictionary<string, IReadOnlyList<string>> { ["ok"] = ["false"], ["error"] = ["token_expired"] } },
                new RefreshOnRule { Status = [403] },
            ],
        };

        Assert.Empty(DefinitionValidator.Validate(slack));
    }

    [Fact]
    public void A_refresh_token_policy_within_its_ranges_has_no_problems()
    {
        var policy = new RefreshTokenPolicyDefinition { ExpiresInPath = "data.refresh_expires_in", LifetimeSeconds = 604800, ReconnectSoonSeconds = 259200, ReuseGraceSeconds = 1800 };

        Assert.Empty(DefinitionValidator.Validate(Valid with { RefreshTokenPolicy = policy }));
        Assert.Empty(DefinitionValidator.Validate(Valid with { RefreshTokenPolicy = new() { ReuseGraceSeconds = 0, ReconnectSoonSeconds = 0 } }));
    }

    public static TheoryData<string, Func<AuthVersionDefinition, AuthVersionDefinition>, string, string> Cases() => new()
    {
        { "no access token", d => d with { AccessToken = null }, "/accessToken", ValidationCodes.Required },
        { "refresh token lifetime under a minute", d => d with { RefreshTokenPolicy = new() { LifetimeSeconds = 59 } }, "/refreshTokenPolicy/lifetimeSeconds", ValidationCodes.OutOfRange },
        { "reconnect warning over 30 days", d => d with { RefreshTokenPolicy = new() { ReconnectSoonSeconds = 30 * 86400 + 1 } }, "/refreshTokenPolicy/reconnectSoonSeconds", ValidationCodes.OutOfRange },
        { "negative reuse grace", d => d with { RefreshTokenPolicy = new() { ReuseGraceSeconds = -1 } }, "/refreshTokenPolicy/reuseGraceSeconds", ValidationCodes.OutOfRange },
        { "reuse grace over an hour", d => d with { RefreshTokenPolicy = new() { ReuseGraceSeconds = 3601 } }, "/refreshTokenPolicy/reuseGraceSeconds", ValidationCodes.OutOfRange },
        { "refresh token expiry path", d => d with { RefreshTokenPolicy = new() { ExpiresInPath = "a..b" } }, "/refreshTokenPolicy/expiresInPath", ValidationCodes.InvalidPath },
        { "no test me", d => d with { TestMe = null }, "/testMe", ValidationCodes.Required },
        { "no authorization", d => d with { Authorization = null }, "/authorization", ValidationCodes.Required },
        { "no authorize url", d => d with { Authorization = d.Authorization! with { Url = " " } }, "/authorization/url", ValidationCodes.Required },
        { "no client id", d => d with { Authorization = d.Authorization! with { ClientId = null } }, "/authorization/clientId", ValidationCodes.Required },
        { "relative url", d => d with { Authorization = d.Authorization! with { Url = "/oauth/authorize" } }, "/authorization/url", ValidationCodes.InvalidUrl },
        { "ftp url", d => d with { Authorization = d.Authorization! with { Url = "ftp://example.com/a" } }, "/authorization/url", ValidationCodes.InvalidUrl },
        { "http url", d => d with { Authorization = d.Authorization! with { Url = "http://${context.authData.subdomain}.example.com/a" } }, "/authorization/url", ValidationCodes.InsecureUrl },
        { "http issuer", d => d with { Authorization = d.Authorization! with { Issuer = "http://issuer.example.com" } }, "/authorization/issuer", ValidationCodes.InsecureUrl },
        { "iss required without issuer", d => d with { Authorization = d.Authorization! with { Issuer = null, RequireIssuerParameter = true } }, "/authorization/requireIssuerParameter", ValidationCodes.IssuerRequired },
        { "relative jwks url", d => d with { Authorization = d.Authorization! with { JwksUrl = "/jwks.json" } }, "/authorization/jwksUrl", ValidationCodes.InvalidUrl },
        { "http jwks url", d => d with { Authorization = d.Authorization! with { JwksUrl = "http://issuer.example.com/jwks.json" } }, "/authorization/jwksUrl", ValidationCodes.InsecureUrl },
        { "separator", d => d with { Authorization = d.Authorization! with { ScopeSeparator = "semicolon" } }, "/authorization/scopeSeparator", ValidationCodes.UnknownSeparator },
        { "custom separator", d => d with { Authorization = d.Authorization! with { ScopeSeparator = ScopeSeparators.Custom, CustomScopeSeparator = "and" } }, "/authorization/customScopeSeparator", ValidationCodes.InvalidScopeSeparator },
        { "unknown renamed parameter", d => d with { Authorization = d.Authorization! with { ParameterNames = new Dictionary<string, string> { ["prompt"] = "p" } } }, "/authorization/parameterNames/prompt", ValidationCodes.UnknownAuthorizeParameter },
        { "invalid parameter name", d => d with { Authorization = d.Authorization! with { ParameterNames = new Dictionary<string, string> { ["client_id"] = "a&b" } } }, "/authorization/parameterNames/client_id", ValidationCodes.InvalidParameterName },
        { "parameter name collision", d => d with { Authorization = d.Authorization! with { ParameterNames = new Dictionary<string, string> { ["client_id"] = "state" } } }, "/authorization/parameterNames/client_id", ValidationCodes.ParameterNameCollision },
        { "state omitted", d => d with { Authorization = d.Authorization! with { OmitParameters = ["state"] } }, "/authorization/omitParameters/0", ValidationCodes.ParameterNotOmittable },
        { "pkce required without pkce", d => d with { Authorization = d.Authorization! with { Pkce = PkceModes.None, PkceRequired = true } }, "/authorization/pkceRequired", ValidationCodes.PkceConflict },
        { "pkce verifier not sent", d => d with { Authorization = d.Authorization! with { PkceRequired = true } }, "/accessToken", ValidationCodes.PkceVerifierNotSent },
        { "client authentication", d => d with { Authorization = d.Authorization! with { ClientAuthentication = "jwt" } }, "/authorization/clientAuthentication", ValidationCodes.UnknownClientAuthentication },
        { "client authentication conflict", d => d with { Authorization = d.Authorization! with { ClientAuthentication = ClientAuthModes.Body }, RefreshToken = new ApiBlock { Request = new RequestDefinition { Method = "POST", Url = "https://example.com/token", BodyType = BodyTypes.Form, Body = new Dictionary<string, string> { ["client_secret"] = "${context.clientSecret}" } } } }, "/refreshToken/request/body/client_secret", ValidationCodes.ClientAuthConflict },
        { "pkce", d => d with { Authorization = d.Authorization! with { Pkce = "s256" } }, "/authorization/pkce", ValidationCodes.UnknownPkce },
        { "empty scope", d => d with { Authorization = d.Authorization! with { Scopes = ["read", " "] } }, "/authorization/scopes/1", ValidationCodes.EmptyScope },
        { "duplicate scope", d => d with { Authorization = d.Authorization! with { Scopes = ["read", "read"] } }, "/authorization/scopes/1", ValidationCodes.DuplicateScope },
        { "scope with space", d => d with { Authorization = d.Authorization! with { Scopes = ["read write"] } }, "/authorization/scopes/0", ValidationCodes.ScopeContainsSeparator },
        { "scope with comma", d => d with { Authorization = d.Authorization! with { Scopes = ["a,b"], ScopeSeparator = ScopeSeparators.Comma } }, "/authorization/scopes/0", ValidationCodes.ScopeContainsSeparator },
        { "too many scopes", d => d with { Authorization = d.Authorization! with { Scopes = [.. Enumerable.Range(0, 51).Select(i => $"s{i}")] } }, "/authorization/scopes", ValidationCodes.TooMany },
        { "client secret in code", d => d with { Authorization = d.Authorization! with { ClientSecret = "long-enough-secret" }, TestMe = new ApiBlock { Code = "return 'long-enough-secret';" } }, "/testMe/code", ValidationCodes.ClientSecretExposed },
        { "client secret too short", d => d with { Authorization = d.Authorization! with { ClientSecret = "7-chars" } }, "/authorization/clientSecret", ValidationCodes.ClientSecretTooShort },
        { "reserved extra param", d => d with { Authorization = d.Authorization! with { ExtraParams = new Dictionary<string, string> { ["redirect_uri"] = "x" } } }, "/authorization/extraParams/redirect_uri", ValidationCodes.ReservedParameter },
        { "template syntax", d => d with { ConnectionLabel = "${context.authData.testme.email" }, "/connectionLabel", ValidationCodes.TemplateSyntax },
        { "unknown root", d => d with { UniqueIdentifier = "${authData.testme.id}" }, "/uniqueIdentifier", ValidationCodes.UnknownTemplateRoot },
        { "unknown context member", d => d with { ConnectionLabel = "${context.authdata.testme.email}" }, "/connectionLabel", ValidationCodes.UnknownContextMember },
        { "label reads a token", d => d with { ConnectionLabel = "${context.authData.accesstokencode.access_token}" }, "/connectionLabel", ValidationCodes.LabelReadsSecret },
        { "template too long", d => d with { ConnectionLabel = new string('a', DefinitionLimits.MaxTemplateLength + 1) }, "/connectionLabel", ValidationCodes.TooLarge },
        { "invalid field key", d => d with { Fields = [new FieldDefinition { Key = "2fa" }] }, "/fields/0/key", ValidationCodes.InvalidFieldKey },
        { "field key with a trailing newline", d => d with { Fields = [new FieldDefinition { Key = "subdomain\n" }] }, "/fields/0/key", ValidationCodes.InvalidFieldKey },
        { "field key with a control character", d => d with { Fields = [new FieldDefinition { Key = "sub\u0000domain" }] }, "/fields/0/key", ValidationCodes.InvalidFieldKey },
        { "field key with a zero-width space", d => d with { Fields = [new FieldDefinition { Key = "sub\u200Bdomain" }] }, "/fields/0/key", ValidationCodes.InvalidFieldKey },
        { "duplicate field key", d => d with { Fields = [new FieldDefinition { Key = "a" }, new FieldDefinition { Key = "A" }] }, "/fields/1/key", ValidationCodes.DuplicateFieldKey },
        { "reserved field key", d => d with { Fields = [new FieldDefinition { Key = "accesstokencode" }] }, "/fields/0/key", ValidationCodes.ReservedFieldKey },
        { "unknown field type", d => d with { Fields = [new FieldDefinition { Key = "a", Type = "number" }] }, "/fields/0/type", ValidationCodes.UnknownFieldType },
        { "select without options", d => d with { Fields = [new FieldDefinition { Key = "a", Type = FieldTypes.Select }] }, "/fields/0/options", ValidationCodes.SelectWithoutOptions },
        { "default not in options", d => d with { Fields = [new FieldDefinition { Key = "a", Type = FieldTypes.Select, Options = ["x"], Default = "y" }] }, "/fields/0/default", ValidationCodes.DefaultNotInOptions },
        { "too many fields", d => d with { Fields = [.. Enumerable.Range(0, 101).Select(i => new FieldDefinition { Key = $"f{i}" })] }, "/fields", ValidationCodes.TooMany },
        { "url value in scheme", d => d with { Authorization = d.Authorization! with { Url = "http${context.authData.s}://a.example.com" } }, "/authorization/url", ValidationCodes.UrlValueMisplaced },
        { "unknown field format", d => d with { Fields = [new FieldDefinition { Key = "sub", Format = "ipv9" }] }, "/fields/0/format", ValidationCodes.UnknownFieldFormat },
        { "backtracking field pattern", d => d with { Fields = [new FieldDefinition { Key = "sub", Pattern = "(a)\\1" }] }, "/fields/0/pattern", ValidationCodes.InvalidFieldPattern },
        { "field default fails format", d => d with { Fields = [new FieldDefinition { Key = "sub", Format = FieldFormats.DnsLabel, Default = "a.b" }] }, "/fields/0/default", ValidationCodes.InvalidFieldDefault },
        { "outcome rule", d => d with { RefreshToken = new ApiBlock { Code = "return 1", Outcomes = [new OutcomeRule { Then = "maybe", Match = new Dictionary<string, IReadOnlyList<string>> { ["error"] = ["x"] } }] } }, "/refreshToken/outcomes/0/then", ValidationCodes.InvalidOutcomeRule },
        { "allowed url relative", d => d with { AllowedUrls = ["api.example.com/v1"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlNotAbsolute },
        { "allowed url query", d => d with { AllowedUrls = ["https://api.example.com/v1?x=1"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlHasQueryOrFragment },
        { "allowed url fragment", d => d with { AllowedUrls = ["https://api.example.com/v1#x"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlHasQueryOrFragment },
        { "allowed url credentials", d => d with { AllowedUrls = ["https://user:pw@api.example.com/v1"] }, "/allowedUrls/0", ValidationCodes.AllowedUrlHasCredentials },
        { "allowed url http", d => d with { AllowedUrls = ["http://api.example.com/v1"] }, "/allowedUrls/0", ValidationCodes.InsecureUrl },
        { "allowed url twice", d => d with { AllowedUrls = ["https://api.example.com/v1", "https://API.example.com/v1"] }, "/allowedUrls/1", ValidationCodes.DuplicateAllowedUrl },
        { "no allowed url", d => d with { AllowedUrls = [] }, "/allowedUrls", ValidationCodes.Required },
        { "too many allowed urls", d => d with { AllowedUrls = [.. Enumerable.Range(0, 51).Select(i => $"https://a{i}.example.com")] }, "/allowedUrls", ValidationCodes.TooMany },
        { "header template", d => d with { Append = new AppendDefinition { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer ${}" } } }, "/append/headers/Authorization", ValidationCodes.TemplateSyntax },
        { "header name", d => d with { Append = new AppendDefinition { Headers = new Dictionary<string, string> { ["Bad Header"] = "x" } } }, "/append/headers/Bad Header", ValidationCodes.InvalidHeaderName },
        { "query pointer escaped", d => d with { Append = new AppendDefinition { Query = new Dictionary<string, string> { ["a/b"] = "${ctx.x}" } } }, "/append/query/a~1b", ValidationCodes.UnknownTemplateRoot },
        { "too many append headers", d => d with { Append = new AppendDefinition { Headers = Enumerable.Range(0, 51).ToDictionary(i => $"H{i}", _ => "v") } }, "/append/headers", ValidationCodes.TooMany },
        { "empty block", d => d with { TestMe = new ApiBlock { Code = "  " } }, "/testMe", ValidationCodes.BlockEmpty },
        { "both code and request", d => d with { TestMe = d.TestMe! with { Code = "return 1;" } }, "/testMe", ValidationCodes.BlockBothCodeAndRequest },
        { "code syntax", d => d with { AccessToken = new ApiBlock { Code = "const a = 1;\nreturn a +;" } }, "/accessToken/code", ValidationCodes.CodeSyntax },
        { "dynamic import", d => d with { RefreshToken = new ApiBlock { Code = "const m = await import('x');\nreturn m;" } }, "/refreshToken/code", ValidationCodes.DynamicImport },
        { "code too large", d => d with { AccessToken = new ApiBlock { Code = "//" + new string('x', DefinitionLimits.MaxCodeBytes) } }, "/accessToken/code", ValidationCodes.TooLarge },
        { "unknown method", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition { Method = "FETCH", Url = "https://a.example.com" } } }, "/testMe/request/method", ValidationCodes.UnknownMethod },
        { "request url", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition() } }, "/testMe/request/url", ValidationCodes.Required },
        { "request url invalid", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https//a.example.com" } } }, "/testMe/request/url", ValidationCodes.InvalidUrl },
        { "body type", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https://a.example.com", BodyType = "xml" } } }, "/testMe/request/bodyType", ValidationCodes.UnknownBodyType },
        { "raw body with map", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https://a.example.com", BodyType = BodyTypes.Raw, Body = new Dictionary<string, string> { ["a"] = "b" } } } }, "/testMe/request/body", ValidationCodes.BodyConflict },
        { "raw body without raw", d => d with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https://a.example.com", RawBody = "x" } } }, "/testMe/request/rawBody", ValidationCodes.BodyConflict },
        { "request body template", d => d with { RefreshToken = new ApiBlock { Request = new RequestDefinition { Method = "POST", Url = "https://a.example.com", Body = new Dictionary<string, string> { ["x"] = "${context.authData.}" } } } }, "/refreshToken/request/body/x", ValidationCodes.TemplateSyntax },
        { "expiry never conflict", d => d with { TokenExpiry = new TokenExpiryDefinition { Never = true, DefaultLifetimeSeconds = 60 } }, "/tokenExpiry/never", ValidationCodes.ExpiryConflict },
        { "expiry both paths", d => d with { TokenExpiry = new TokenExpiryDefinition { ExpiresInPath = "a", ExpiresAtPath = "b" } }, "/tokenExpiry/expiresAtPath", ValidationCodes.ExpiryConflict },
        { "expiry unit", d => d with { TokenExpiry = new TokenExpiryDefinition { Unit = "minutes" } }, "/tokenExpiry/unit", ValidationCodes.InvalidExpiryUnit },
        { "expiry path", d => d with { TokenExpiry = new TokenExpiryDefinition { ExpiresInPath = "data..expires_in" } }, "/tokenExpiry/expiresInPath", ValidationCodes.InvalidPath },
        { "negative margin", d => d with { TokenExpiry = new TokenExpiryDefinition { RefreshMarginSeconds = -1 } }, "/tokenExpiry/refreshMarginSeconds", ValidationCodes.NegativeNumber },
        { "zero lifetime", d => d with { TokenExpiry = new TokenExpiryDefinition { DefaultLifetimeSeconds = 0 } }, "/tokenExpiry/defaultLifetimeSeconds", ValidationCodes.NegativeNumber },
        { "status out of range", d => d with { RefreshOnStatus = [401, 302] }, "/refreshOnStatus/1", ValidationCodes.InvalidStatus },
        { "status too high", d => d with { RefreshOnStatus = [600] }, "/refreshOnStatus/0", ValidationCodes.InvalidStatus },
        { "refreshOn rule naming nothing", d => d with { RefreshOn = [new RefreshOnRule()] }, "/refreshOn/0", ValidationCodes.InvalidOutcomeRule },
        { "refreshOn bare success status", d => d with { RefreshOn = [new RefreshOnRule { Status = [200] }] }, "/refreshOn/0/status/0", ValidationCodes.InvalidStatus },
        { "refreshOn status out of range", d => d with { RefreshOn = [new RefreshOnRule { Status = [403, 700] }] }, "/refreshOn/0/status/1", ValidationCodes.InvalidStatus },
        { "refreshOn bad path", d => d with { RefreshOn = [new RefreshOnRule { Match = new Dictionary<string, IReadOnlyList<string>> { ["error..code"] = ["x"] } }] }, "/refreshOn/0/match/error..code", ValidationCodes.InvalidOutcomeRule },
        { "refreshOn no values", d => d with { RefreshOn = [new RefreshOnRule { Match = new Dictionary<string, IReadOnlyList<string>> { ["error"] = [] } }] }, "/refreshOn/0/match/error", ValidationCodes.InvalidOutcomeRule },
        { "refreshOn too many", d => d with { RefreshOn = [.. Enumerable.Repeat(new RefreshOnRule { Status = [403] }, 21)] }, "/refreshOn", ValidationCodes.TooMany },
        { "whole definition too large", d => d with { Fields = [.. Enumerable.Range(0, 40).Select(i => new FieldDefinition { Key = $"f{i}", Help = new string('h', 7000) })] }, "", ValidationCodes.TooLarge },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_reports_its_code_at_the_offending_member(
        string rule, Func<AuthVersionDefinition, AuthVersionDefinition> change, string pointer, string code)
    {
        var definition = change(Valid);

        var problems = DefinitionValidator.Validate(definition);

        Assert.True(problems.Any(p => p.Pointer == pointer && p.Code == code),
            $"{rule}: expected {code} at '{pointer}', got: {string.Join("; ", problems)}");
    }

    [Fact]
    public void Every_validation_code_is_covered_by_a_rule_case()
    {
        var covered = Cases().Concat(PerAccountRulesTests.Cases()).Select(row => (string)row[3]).ToHashSet();
        var codes = typeof(ValidationCodes).GetFields().Select(field => (string)field.GetValue(null)!);
        var documentOnly = new[] { ValidationCodes.MalformedJson, ValidationCodes.UnknownMember, ValidationCodes.InvalidType };

        Assert.Empty(codes.Except(covered).Except(documentOnly));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var definition = Valid with
        {
            AccessToken = null,
            Fields = [new FieldDefinition { Key = "bad key" }],
            Authorization = Valid.Authorization! with { Pkce = "S512", Scopes = ["a", "a"] },
            AllowedUrls = ["https://api.example.com/v1?q=1"],
            RefreshOnStatus = [200],
        };

        var problems = DefinitionValidator.Validate(definition);

        Assert.Equal(
            [
                ("/fields/0/key", ValidationCodes.InvalidFieldKey),
                ("/authorization/pkce", ValidationCodes.UnknownPkce),
                ("/authorization/scopes/1", ValidationCodes.DuplicateScope),
                ("/accessToken", ValidationCodes.Required),
                ("/allowedUrls/0", ValidationCodes.AllowedUrlHasQueryOrFragment),
                ("/refreshOnStatus/0", ValidationCodes.InvalidStatus),
            ],
            problems.Select(p => (p.Pointer, p.Code)));
    }

    [Fact]
    public void A_code_syntax_error_names_the_line_and_column_in_the_authors_code()
    {
        var definition = Valid with { AccessToken = new ApiBlock { Code = "const a = 1;\n  return a +;" } };

        var problem = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.StartsWith("Line 2, column 13:", problem.Message);
    }

    [Fact]
    public void Dynamic_import_is_refused_at_its_line_and_column_even_inside_a_function_that_never_runs()
    {
        var definition = Valid with { AccessToken = new ApiBlock { Code = "const never = () => 1;\nconst load = async () => { try { return await import('./m.js'); } catch { return null; } };\nreturn never();" } };

        var problem = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.Equal(ValidationCodes.DynamicImport, problem.Code);
        Assert.StartsWith("Line 2, column 47: import() is not available", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("const r = await axios.get('https://x.example.com'); return r.data;")]
    [InlineData("try { return (await axios.request({})).data } catch (error) { throw error }")]
    public void Top_level_await_and_return_are_valid_block_code(string code)
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { AccessToken = new ApiBlock { Code = code } }));
    }

    [Theory]
    [InlineData("${btoa(context.clientId + ':' + context.clientSecret)}")]
    [InlineData("${context.scopes.split(' ').map(s => s.trim()).join(',')}")]
    [InlineData("${context.authData.region === 'eu' ? 'https://eu.example.com' : 'https://us.example.com'}")]
    public void Script_templates_may_use_javascript_globals_and_their_own_parameters(string source)
    {
        // An appended header, not the label: a label may not read the client secret (DisplayTemplateRulesTests).
        var append = new AppendDefinition { Headers = new Dictionary<string, string> { ["X-Script"] = source } };

        Assert.Empty(DefinitionValidator.Validate(Valid with { Append = append }));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/oauth")]
    [InlineData("http://localhost/oauth")]
    [InlineData("http://[::1]:8080/oauth")]
    public void Loopback_http_authorize_urls_are_accepted(string url)
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { Authorization = Valid.Authorization! with { Url = url } }));
    }

    [Fact]
    public void A_block_url_may_start_with_a_value_but_the_authorize_url_may_not()
    {
        const string url = "${context.authData.accesstokencode.instance_url}/oauth";

        Assert.Empty(DefinitionValidator.Validate(Valid with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = url } } }));
        var problem = Assert.Single(DefinitionValidator.Validate(Valid with { Authorization = Valid.Authorization! with { Url = url } }));
        Assert.Equal(("/authorization/url", ValidationCodes.UrlValueMisplaced), (problem.Pointer, problem.Code));
    }

    [Theory]
    [InlineData("http${context.authData.s}://a.example.com/x")]
    [InlineData("https://${context.authData.user}@a.example.com/x")]
    [InlineData("https://a.example.com:${context.authData.port}@b.example.com/x")]
    [InlineData("https://[${context.authData.ip}]/x")]
    [InlineData("${context.authData.base}.example.com/x")]
    [InlineData("${context.authData.base}${context.authData.path}")]
    public void Values_cannot_go_into_the_scheme_user_info_an_ip_literal_or_extend_a_base_url(string url)
    {
        var problems = DefinitionValidator.Validate(Valid with { TestMe = new ApiBlock { Request = new RequestDefinition { Url = url } } });

        Assert.Contains(problems, p => p.Pointer == "/testMe/request/url" && p.Code == ValidationCodes.UrlValueMisplaced);
    }

    [Theory]
    [InlineData("https://${context.authData.subdomain}.zendesk.com/api")]
    [InlineData("${context.authData.accesstokencode.instance_url}/services")]
    public void Allowed_urls_may_be_templates_for_per_account_hosts(string url)
    {
        Assert.Empty(DefinitionValidator.Validate(Valid with { AllowedUrls = [url] }));
    }

    [Fact]
    public void A_client_secret_of_the_minimum_length_is_accepted()
    {
        var secret = new string('k', ClientSecretExposure.MinSecretLength);

        Assert.Empty(DefinitionValidator.Validate(Valid with { Authorization = Valid.Authorization! with { ClientSecret = secret } }));
    }

    [Theory]
    [InlineData("secret7", null)]
    [InlineData(null, "stored7")]
    public void A_shorter_client_secret_is_refused_whether_sent_or_stored_without_being_quoted(string? sent, string? stored)
    {
        var definition = Valid with { Authorization = Valid.Authorization! with { ClientSecret = sent } };

        var problem = Assert.Single(DefinitionValidator.Validate(definition, stored));

        Assert.Equal(("/authorization/clientSecret", ValidationCodes.ClientSecretTooShort), (problem.Pointer, problem.Code));
        Assert.DoesNotContain(sent ?? stored!, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_never_quote_the_client_secret()
    {
        var definition = Valid with { Authorization = Valid.Authorization! with { ClientSecret = "${oops", ClientId = null } };

        var problems = DefinitionValidator.Validate(definition);

        Assert.DoesNotContain(problems, p => p.Message.Contains("oops", StringComparison.Ordinal));
    }
}
