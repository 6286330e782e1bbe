using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Validation;

/// <summary>The authorize-request shape and client authentication knobs, through the validator as save and publish run it.</summary>
public sealed class AuthorizationRequestRulesTests
{
    private static readonly AuthVersionDefinition Valid = TestDefinitions.Valid();

    private static IReadOnlyList<ValidationProblem> Validate(Func<AuthorizationDefinition, AuthorizationDefinition> change, Func<AuthVersionDefinition, AuthVersionDefinition>? more = null)
    {
        var definition = Valid with { Authorization = change(Valid.Authorization!) };
        return DefinitionValidator.Validate(more is null ? definition : more(definition));
    }

    private static ApiBlock AccessTokenCode(string code) => new() { Code = code };

    [Fact]
    public void Every_shape_a_real_provider_uses_validates()
    {
        var problems = Validate(a => a with
        {
            ScopeSeparator = ScopeSeparators.Plus,
            OptionalScopes = ["admin", "repo:status"],
            ParameterNames = new Dictionary<string, string> { ["client_id"] = "app_id", ["redirect_uri"] = "redirect_url", ["state"] = "state" },
            OmitParameters = ["response_type"],
            ClientAuthentication = ClientAuthModes.Both,
            PkceRequired = true,
        }, d => d with { AccessToken = AccessTokenCode("return (await axios.post('https://example.com/token', { code_verifier: context.codeVerifier })).data;") });

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\u0001")]
    [InlineData(";\n")]
    [InlineData("\u00A0")]
    [InlineData("x")]
    [InlineData("7")]
    [InlineData(";;;;;;;;;")]
    public void A_hostile_custom_separator_is_refused(string separator)
    {
        var problems = Validate(a => a with { ScopeSeparator = ScopeSeparators.Custom, CustomScopeSeparator = separator });

        Assert.Contains(problems, p => p.Pointer == "/authorization/customScopeSeparator" && p.Code == ValidationCodes.InvalidScopeSeparator);
    }

    [Theory]
    [InlineData(ScopeSeparators.Plus, null, "read+write")]
    [InlineData(ScopeSeparators.Custom, "|", "a|b")]
    [InlineData(ScopeSeparators.Space, null, "tab\there")]
    [InlineData(ScopeSeparators.Space, null, "nul\u0000")]
    public void A_scope_holding_its_separator_or_a_control_character_is_refused(string separator, string? custom, string scope)
    {
        var problems = Validate(a => a with { ScopeSeparator = separator, CustomScopeSeparator = custom, Scopes = ["read", scope] });

        Assert.Contains(problems, p => p.Pointer == "/authorization/scopes/1" && p.Code == ValidationCodes.ScopeContainsSeparator);
    }

    [Fact]
    public void An_optional_scope_follows_the_scope_rules_and_may_not_repeat_a_required_one()
    {
        var problems = Validate(a => a with { OptionalScopes = ["read", " ", "x y"] });

        Assert.Equal(
            [
                ("/authorization/optionalScopes/0", ValidationCodes.DuplicateScope),
                ("/authorization/optionalScopes/1", ValidationCodes.EmptyScope),
                ("/authorization/optionalScopes/2", ValidationCodes.ScopeContainsSeparator),
            ],
            problems.Select(p => (p.Pointer, p.Code)));
    }

    [Theory]
    [InlineData("app id")]
    [InlineData("app&id")]
    [InlineData("app=id")]
    [InlineData("app_id\n")]
    [InlineData("")]
    [InlineData("%61pp")]
    public void A_hostile_renamed_parameter_name_is_refused(string name)
    {
        var problems = Validate(a => a with { ParameterNames = new Dictionary<string, string> { ["client_id"] = name } });

        Assert.Contains(problems, p => p.Pointer == "/authorization/parameterNames/client_id" && p.Code == ValidationCodes.InvalidParameterName);
    }

    [Theory]
    [InlineData("redirect_uri")]
    [InlineData("STATE")]
    [InlineData("code_challenge")]
    public void A_renamed_parameter_may_not_take_a_protocol_parameters_name(string name)
    {
        var problems = Validate(a => a with { ParameterNames = new Dictionary<string, string> { ["client_id"] = name } });

        Assert.Contains(problems, p => p.Code == ValidationCodes.ParameterNameCollision);
    }

    [Fact]
    public void Two_parameters_may_not_be_renamed_to_the_same_name()
    {
        var problems = Validate(a => a with { ParameterNames = new Dictionary<string, string> { ["client_id"] = "app", ["redirect_uri"] = "APP" } });

        Assert.Single(problems, p => p.Code == ValidationCodes.ParameterNameCollision);
    }

    [Fact]
    public void A_renamed_parameter_may_not_collide_with_an_extra_param()
    {
        var problems = Validate(a => a with { ParameterNames = new Dictionary<string, string> { ["state"] = "access_type" } });

        Assert.Contains(problems, p => p.Pointer == "/authorization/parameterNames/state" && p.Code == ValidationCodes.ParameterNameCollision);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("client_id")]
    [InlineData("code_challenge")]
    [InlineData("scope")]
    [InlineData("nonce")]
    public void Only_response_type_and_redirect_uri_may_be_omitted(string name)
    {
        var problems = Validate(a => a with { OmitParameters = [name] });

        Assert.Contains(problems, p => p.Pointer == "/authorization/omitParameters/0" && p.Code == ValidationCodes.ParameterNotOmittable);
    }

    [Fact]
    public void A_parameter_cannot_be_both_renamed_and_omitted()
    {
        var problems = Validate(a => a with { OmitParameters = ["redirect_uri"], ParameterNames = new Dictionary<string, string> { ["redirect_uri"] = "redirect_url" } });

        Assert.Contains(problems, p => p.Code == ValidationCodes.ParameterNameCollision);
    }

    [Theory]
    [InlineData("const { codeVerifier } = context; return (await axios.post('https://example.com/token', { code_verifier: codeVerifier })).data;")]
    [InlineData("return (await axios.post('https://example.com/token', { v: context['codeVerifier'] })).data;")]
    public void Required_pkce_accepts_a_javascript_block_that_reads_the_verifier(string code)
    {
        Assert.Empty(Validate(a => a with { PkceRequired = true }, d => d with { AccessToken = AccessTokenCode(code) }));
    }

    [Fact]
    public void Required_pkce_accepts_a_declarative_block_that_sends_the_verifier()
    {
        var block = new ApiBlock
        {
            Request = new RequestDefinition
            {
                Method = "POST",
                Url = "https://example.com/token",
                BodyType = BodyTypes.Form,
                Body = new Dictionary<string, string> { ["code"] = "${context.authData.code}", ["code_verifier"] = "${context.codeVerifier}" },
            },
        };

        Assert.Empty(Validate(a => a with { PkceRequired = true }, d => d with { AccessToken = block }));
    }

    [Fact]
    public void Required_pkce_refuses_a_declarative_block_that_never_sends_the_verifier()
    {
        var block = new ApiBlock { Request = new RequestDefinition { Method = "POST", Url = "https://example.com/token", Body = new Dictionary<string, string> { ["code"] = "${context.authData.code}" } } };

        var problems = Validate(a => a with { PkceRequired = true }, d => d with { AccessToken = block });

        Assert.Contains(problems, p => p.Pointer == "/accessToken" && p.Code == ValidationCodes.PkceVerifierNotSent);
    }

    [Fact]
    public void Optional_pkce_does_not_look_at_the_block()
    {
        Assert.Empty(Validate(a => a with { Pkce = PkceModes.S256, PkceRequired = false }));
    }

    [Theory]
    [InlineData(ClientAuthModes.Basic, "/refreshToken/request/headers")]
    [InlineData(ClientAuthModes.Both, "/refreshToken/request/headers")]
    public void Basic_client_authentication_refuses_a_block_with_its_own_authorization_header(string mode, string pointer)
    {
        var problems = Validate(a => a with { ClientAuthentication = mode }, d => d with
        {
            RefreshToken = new ApiBlock { Request = d.RefreshToken!.Request! with { Headers = new Dictionary<string, string> { ["authorization"] = "Basic ${context.clientSecret}" } } },
        });

        Assert.Contains(problems, p => p.Pointer == pointer && p.Code == ValidationCodes.ClientAuthConflict);
    }

    [Fact]
    public void Body_client_authentication_refuses_a_raw_body()
    {
        var problems = Validate(a => a with { ClientAuthentication = ClientAuthModes.Body }, d => d with
        {
            RevokeToken = new ApiBlock { Request = new RequestDefinition { Method = "POST", Url = "https://example.com/revoke", BodyType = BodyTypes.Raw, RawBody = "token=x" } },
        });

        Assert.Contains(problems, p => p.Pointer == "/revokeToken/request/bodyType" && p.Code == ValidationCodes.ClientAuthConflict);
    }

    [Fact]
    public void The_test_me_block_is_not_a_client_authentication_conflict()
    {
        var problems = Validate(a => a with { ClientAuthentication = ClientAuthModes.Both }, d => d with
        {
            TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https://api.example.com/v1/me", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer x" } } },
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void The_basic_header_value_is_a_secret_that_display_templates_cannot_read()
    {
        var problems = DefinitionValidator.Validate(Valid with { ConnectionLabel = "${context.clientBasicAuth}" });

        Assert.Contains(problems, p => p.Pointer == "/connectionLabel" && p.Code == ValidationCodes.LabelReadsSecret);
    }
}
