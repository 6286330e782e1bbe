using System.Text.Json.Nodes;
using System.Web;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class AuthorizeUrlBuilderTests
{
    private const string RedirectUri = "https://connect.example.com/oauth/callback";
    private const string State = "state-value-1234567890";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    private static readonly AuthorizationDefinition Authorization = new()
    {
        Url = "https://provider.example.com/oauth/authorize",
        ClientId = "client-1",
        ClientSecret = "s3cret-of-the-client",
        Scopes = ["read", "write"],
        OptionalScopes = ["admin", "repo:status"],
    };

    private static Uri Build(AuthorizationDefinition authorization, string? challenge = Challenge, IReadOnlyList<string>? scopes = null)
    {
        var definition = TestDefinitions.Valid() with { Fields = [], Authorization = authorization };
        var version = CompiledAuthVersion.Compile(definition, "r1");
        var context = ConnectionContext.Create(version, new JsonObject(), RedirectUri, null);
        return AuthorizeUrlBuilder.Build(version, new AuthorizeRequest(context, RedirectUri, State, challenge, scopes));
    }

    private static Dictionary<string, string> Query(Uri url)
    {
        var query = HttpUtility.ParseQueryString(url.Query);
        return query.AllKeys.OfType<string>().ToDictionary(key => key, key => query[key]!);
    }

    [Fact]
    public void The_default_shape_sends_every_standard_parameter_with_space_joined_scopes()
    {
        var url = Build(Authorization);

        Assert.Equal(
            $"response_type=code&client_id=client-1&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=read%20write&state={State}&code_challenge={Challenge}&code_challenge_method=S256",
            url.Query.TrimStart('?'));
    }

    [Fact]
    public void Comma_and_custom_separators_are_percent_encoded_like_the_scopes()
    {
        Assert.Contains("scope=read%2Cwrite&", Build(Authorization with { ScopeSeparator = ScopeSeparators.Comma }).Query, StringComparison.Ordinal);
        Assert.Contains("scope=read%3B%20write&",
            Build(Authorization with { ScopeSeparator = ScopeSeparators.Custom, CustomScopeSeparator = "; " }).Query, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plus_separator_stays_a_raw_plus_between_percent_encoded_scopes()
    {
        var url = Build(Authorization with { ScopeSeparator = ScopeSeparators.Plus }, scopes: ["read", "repo:status", "a&b=c"]);

        Assert.Contains("&scope=read+repo%3Astatus+a%26b%3Dc&", url.AbsoluteUri, StringComparison.Ordinal);
        Assert.DoesNotContain("%2B", url.AbsoluteUri, StringComparison.Ordinal);

        // Form decoding, as the provider does it, reads the plus as the separator and the encoded & as part of a scope.
        Assert.Equal("read repo:status a&b=c", Query(url)["scope"]);
    }

    [Fact]
    public void Renamed_parameters_go_out_under_their_new_names_and_omitted_ones_not_at_all()
    {
        var url = Build(Authorization with
        {
            ParameterNames = new Dictionary<string, string> { ["client_id"] = "app_id", ["redirect_uri"] = "redirect_url", ["state"] = "csrf" },
            OmitParameters = ["response_type"],
        });

        var query = Query(url);
        Assert.Equal("client-1", query["app_id"]);
        Assert.Equal(RedirectUri, query["redirect_url"]);
        Assert.Equal(State, query["csrf"]);
        Assert.False(query.ContainsKey("client_id") || query.ContainsKey("redirect_uri") || query.ContainsKey("state") || query.ContainsKey("response_type"));
    }

    [Fact]
    public void Without_pkce_no_challenge_parameters_are_sent()
    {
        var query = Query(Build(Authorization with { Pkce = PkceModes.None }, challenge: null));

        Assert.False(query.ContainsKey("code_challenge") || query.ContainsKey("code_challenge_method"));
    }

    [Fact]
    public void The_requested_scopes_replace_the_version_scopes_when_given()
    {
        Assert.Equal("read write admin", Query(Build(Authorization, scopes: ["read", "write", "admin"]))["scope"]);
        Assert.False(Query(Build(Authorization with { Scopes = [] }, scopes: [])).ContainsKey("scope"));
    }

    [Fact]
    public void A_renamed_name_cannot_be_set_by_the_url_template_or_extra_params()
    {
        // Hostile: the definition (bypassing validation) tries to send its own app_id and csrf next to the service's.
        var url = Build(Authorization with
        {
            Url = "https://provider.example.com/oauth/authorize?app_id=attacker&csrf=fixed&keep=1",
            ParameterNames = new Dictionary<string, string> { ["client_id"] = "app_id", ["state"] = "csrf" },
            ExtraParams = new Dictionary<string, string> { ["csrf"] = "fixed", ["prompt"] = "consent" },
        });

        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal(["client-1"], query.GetValues("app_id")!);
        Assert.Equal([State], query.GetValues("csrf")!);
        Assert.Equal("1", query["keep"]);
        Assert.Equal("consent", query["prompt"]);
    }
}
