using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class CredentialBuilderTests
{
    private static readonly AppendDefinition Append = new()
    {
        Headers = new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}",
            ["X-Account"] = "${context.authData.account}",
        },
        Query = new Dictionary<string, string> { ["api_key"] = "${context.authData.api_key}" },
        Body = new Dictionary<string, string> { ["account_id"] = "${context.authData.account_id}", ["source"] = "via-${context.clientId}" },
    };

    private static JsonObject Context() => JsonNode.Parse("""
        { "clientId": "c1", "authData": { "account": "acme", "api_key": "k-1", "account_id": 42, "accesstokencode": { "access_token": "tok" } } }
        """)!.AsObject();

    [Fact]
    public void Headers_query_and_body_are_rendered_with_body_values_keeping_their_type()
    {
        var builder = CredentialBuilder.Compile(Append);

        var credentials = builder.Build(Context());

        Assert.Equal("Bearer tok", credentials.Headers["authorization"]);
        Assert.Equal("acme", credentials.Headers["X-Account"]);
        Assert.Equal("k-1", credentials.Query["api_key"]);
        Assert.Equal("""{"account_id":42,"source":"via-c1"}""", credentials.Body.ToJsonString());
    }

    [Fact]
    public void A_missing_value_names_the_member_and_the_path()
    {
        var builder = CredentialBuilder.Compile(Append);
        var context = Context();
        context["authData"]!["accesstokencode"] = new JsonObject();

        var exception = Assert.Throws<TemplateRenderException>(() => builder.Build(context));

        Assert.Equal("/append/headers/Authorization", exception.Member);
        Assert.Equal("/append/headers/Authorization: context.authData.accesstokencode.access_token is missing", exception.Message);
    }

    [Fact]
    public void Printing_credentials_shows_names_but_never_values()
    {
        var credentials = CredentialBuilder.Compile(Append).Build(Context());

        var text = credentials.ToString();

        Assert.Contains("Authorization", text);
        Assert.DoesNotContain("tok", text);
        Assert.DoesNotContain("k-1", text);
    }

    [Fact]
    public void An_invalid_template_fails_at_compile_time()
    {
        var append = new AppendDefinition { Query = new Dictionary<string, string> { ["a"] = "${context." } };

        Assert.Throws<TemplateSyntaxException>(() => CredentialBuilder.Compile(append));
    }

    [Fact]
    public void Script_templates_are_evaluated_by_the_given_evaluator()
    {
        var append = new AppendDefinition
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Basic ${btoa(context.clientId)}" },
        };
        var builder = CredentialBuilder.Compile(append, new TemplateCache());

        var credentials = builder.Build(Context(), new FixedEvaluator("YzE="));

        Assert.True(builder.NeedsScriptEvaluator);
        Assert.Equal("Basic YzE=", credentials.Headers["Authorization"]);
    }

    [Fact]
    public void A_version_appending_only_headers_gives_every_connection_the_same_empty_query_map()
    {
        // Every active connection keeps its rendered credentials; an empty map of its own would be waste.
        var builder = CredentialBuilder.Compile(new AppendDefinition { Headers = Append.Headers });

        var first = builder.Build(Context());
        var second = builder.Build(Context());

        Assert.Empty(first.Query);
        Assert.Same(first.Query, second.Query);
        Assert.NotSame(first.Headers, second.Headers);
        Assert.Equal("Bearer tok", second.Headers["Authorization"]);
    }

    private sealed class FixedEvaluator(string value) : IScriptExpressionEvaluator
    {
        public JsonNode? Evaluate(string expression, JsonObject context) => JsonValue.Create(value);
    }
}
