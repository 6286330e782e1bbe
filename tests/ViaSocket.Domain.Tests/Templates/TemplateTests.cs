using System.Text.Json.Nodes;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Tests.Templates;

public sealed class TemplateTests
{
    private static JsonObject Context() => JsonNode.Parse("""
        {
          "clientId": "client-1",
          "clientSecret": "s3cret",
          "scopes": "read write",
          "authData": {
            "subdomain": "acme",
            "x-y": "dashed",
            "accesstokencode": { "access_token": "tok-123", "expires_in": 3600, "ratio": 1.5, "whole": 2.0 },
            "items": [ { "id": "first" }, { "id": "second" } ],
            "nested": { "a": 1, "b": [true, "x"] },
            "flag": false,
            "empty": "",
            "nothing": null,
            "unicode": "Zürich"
          }
        }
        """)!.AsObject();

    [Fact]
    public void A_plain_path_renders_the_value_between_literal_text()
    {
        var template = Template.Parse("Bearer ${context.authData.accesstokencode.access_token}!");

        var text = template.Render(Context());

        Assert.Equal("Bearer tok-123!", text);
    }

    [Fact]
    public void A_template_without_expressions_renders_as_is()
    {
        var template = Template.Parse("no expressions here");

        Assert.True(template.IsLiteral);
        Assert.Equal("no expressions here", template.Render(Context()));
    }

    [Theory]
    [InlineData("${context.authData[\"x-y\"]}", "dashed")]
    [InlineData("${context.authData['x-y']}", "dashed")]
    [InlineData("${context.authData.items[1].id}", "second")]
    [InlineData("${context.authData.items[\"0\"].id}", "first")]
    [InlineData("${context?.authData?.subdomain}", "acme")]
    [InlineData("${context.authData?.items?.[0]?.id}", "first")]
    [InlineData("${ context.authData.subdomain }", "acme")]
    [InlineData("${context.authData.items.length}", "2")]
    public void Bracket_access_and_optional_chaining_read_the_json_tree(string source, string expected)
    {
        var template = Template.Parse(source);

        Assert.False(template.NeedsScriptEvaluator);
        Assert.Equal(expected, template.Render(Context()));
    }

    [Theory]
    [InlineData("${context.authData.accesstokencode.expires_in}", "3600")]
    [InlineData("${context.authData.accesstokencode.ratio}", "1.5")]
    [InlineData("${context.authData.accesstokencode.whole}", "2")]
    [InlineData("${context.authData.flag}", "false")]
    [InlineData("${context.authData.nested}", "{\"a\":1,\"b\":[true,\"x\"]}")]
    [InlineData("${context.authData.nested.b}", "[true,\"x\"]")]
    [InlineData("${context.authData.unicode}", "Zürich")]
    public void Non_string_values_render_in_javascript_form_and_objects_as_compact_json(string source, string expected)
    {
        Assert.Equal(expected, Template.Parse(source).Render(Context()));
    }

    [Fact]
    public void A_missing_value_throws_naming_the_path()
    {
        var template = Template.Parse("Bearer ${context.authData.accesstokencode.access_tokn}");

        var exception = Assert.Throws<TemplateRenderException>(() => template.Render(Context()));

        Assert.Equal("context.authData.accesstokencode.access_tokn is missing", exception.Message);
        Assert.Equal("context.authData.accesstokencode.access_tokn", exception.Path);
    }

    [Fact]
    public void A_missing_intermediate_object_is_named_in_the_error()
    {
        var template = Template.Parse("${context.authData.refreshtokencode.refresh_token}");

        var exception = Assert.Throws<TemplateRenderException>(() => template.Render(Context()));

        Assert.Contains("context.authData.refreshtokencode.refresh_token is missing", exception.Message);
        Assert.Contains("(context.authData.refreshtokencode is missing)", exception.Message);
    }

    [Theory]
    [InlineData("${context?.authData?.auth_key}")]
    [InlineData("${context.authData.nothing}")]
    [InlineData("${context.authData.items[5].id}")]
    public void Optional_chaining_or_json_null_still_never_renders_undefined_or_null(string source)
    {
        var template = Template.Parse(source);

        var exception = Assert.Throws<TemplateRenderException>(() => template.Render(Context()));

        Assert.EndsWith("is missing", exception.Message.Split(" (")[0]);
        Assert.DoesNotContain("undefined", exception.Message);
    }

    [Theory]
    [InlineData("${context.authData?.region ?? 'us'}", "us")]
    [InlineData("${context.authData.subdomain ?? 'us'}", "acme")]
    [InlineData("${context.authData.empty ?? 'x'}", "")]
    [InlineData("${context.authData.empty || 'x'}", "x")]
    [InlineData("${context.authData.flag || 42}", "42")]
    [InlineData("${'literal'}", "literal")]
    public void A_literal_default_covers_a_missing_value_without_a_script_engine(string source, string expected)
    {
        var template = Template.Parse(source);

        Assert.False(template.NeedsScriptEvaluator);
        Assert.Equal(expected, template.Render(Context()));
    }

    [Theory]
    [InlineData(@"cost: \${notAnExpression}", "cost: ${notAnExpression}")]
    [InlineData("price $5 and $ {x}", "price $5 and $ {x}")]
    [InlineData(@"C:\path\${context.authData.subdomain}", @"C:\path${context.authData.subdomain}")]
    [InlineData("a$${context.authData.subdomain}", "a$acme")]
    public void Escaped_and_lone_dollars_are_literal(string source, string expected)
    {
        Assert.Equal(expected, Template.Parse(source).Render(Context()));
    }

    [Fact]
    public void Braces_and_strings_inside_an_expression_do_not_end_it()
    {
        var evaluator = new RecordingEvaluator(JsonValue.Create("ok"));
        var template = Template.Parse("x=${JSON.stringify({ a: '}', b: \"{\", c: `${context.clientId}}` })}!");

        var text = template.Render(Context(), evaluator);

        Assert.Equal("x=ok!", text);
        Assert.Equal("JSON.stringify({ a: '}', b: \"{\", c: `${context.clientId}}` })", evaluator.Expressions.Single());
        Assert.Contains("context.clientId", template.ReferencedPaths);
    }

    [Fact]
    public void Other_expressions_are_delegated_to_the_script_evaluator()
    {
        var evaluator = new RecordingEvaluator(JsonValue.Create("Y2xpZW50LTE6czNjcmV0"));
        var template = Template.Parse("Basic ${btoa(context.clientId + ':' + context.clientSecret)}");

        var text = template.Render(Context(), evaluator);

        Assert.True(template.NeedsScriptEvaluator);
        Assert.Equal("Basic Y2xpZW50LTE6czNjcmV0", text);
        Assert.Equal(["context.clientId", "context.clientSecret"], template.ReferencedPaths);
    }

    [Fact]
    public void A_script_expression_without_an_evaluator_fails_clearly()
    {
        var template = Template.Parse("${context.scopes.split(' ').join(',')}");

        var exception = Assert.Throws<TemplateRenderException>(() => template.Render(Context()));

        Assert.Contains("no script evaluator", exception.Message);
        Assert.Equal(["context.scopes"], template.ReferencedPaths);
    }

    [Fact]
    public void A_script_error_is_reported_without_the_evaluators_message()
    {
        var template = Template.Parse("${JSON.parse(context.clientSecret)}");

        var exception = Assert.Throws<TemplateRenderException>(() => template.Render(Context(), new ThrowingEvaluator()));

        Assert.DoesNotContain("s3cret", exception.ToString());
        Assert.Contains("JSON.parse(context.clientSecret)", exception.Message);
    }

    [Fact]
    public void A_script_returning_null_is_a_missing_value()
    {
        var template = Template.Parse("${context.authData.x ? 1 : null}");

        Assert.Throws<TemplateRenderException>(() => template.Render(Context(), new RecordingEvaluator(null)));
    }

    [Fact]
    public void RenderValue_keeps_the_json_type_of_a_single_expression()
    {
        var context = Context();

        var number = Template.Parse("${context.authData.accesstokencode.expires_in}").RenderValue(context);
        var obj = Template.Parse("${context.authData.nested}").RenderValue(context);
        var text = Template.Parse("n=${context.authData.accesstokencode.expires_in}").RenderValue(context);

        Assert.Equal(3600, number.GetValue<int>());
        Assert.Equal("""{"a":1,"b":[true,"x"]}""", obj.ToJsonString());
        Assert.Null(obj.Parent);
        Assert.Equal("n=3600", text.GetValue<string>());
    }

    [Fact]
    public void RenderValue_of_a_literal_default_can_be_attached_twice()
    {
        var template = Template.Parse("${context.authData.region ?? 'us'}");
        var body = new JsonObject();

        body["a"] = template.RenderValue(Context());
        body["b"] = template.RenderValue(Context());

        Assert.Equal("""{"a":"us","b":"us"}""", body.ToJsonString());
    }

    [Theory]
    [InlineData("abc ${context.authData.x", 4, "no matching")]
    [InlineData("abc ${}", 4, "Empty expression")]
    [InlineData("${context.authData.}", 19, "Unexpected")]
    [InlineData("x ${context.a b}", 14, "Unexpected identifier")]
    [InlineData("${'unterminated}", 2, "Unterminated string")]
    public void Syntax_errors_report_their_position_in_the_template(string source, int position, string message)
    {
        var parsed = Template.TryParse(source, out var template, out var error);

        Assert.False(parsed);
        Assert.Null(template);
        Assert.Equal(position, error!.Position);
        Assert.Contains(message, error.Message);
        var exception = Assert.Throws<TemplateSyntaxException>(() => Template.Parse(source));
        Assert.Equal(position, exception.Position);
    }

    [Fact]
    public void Referenced_paths_are_normalized_and_distinct()
    {
        var template = Template.Parse("${context?.authData['a']}-${context.authData.a}-${context.authData[\"x-y\"]}-${context.authData.items[0]}");

        Assert.Equal(["context.authData.a", "context.authData[\"x-y\"]", "context.authData.items[0]"], template.ReferencedPaths);
    }

    [Fact]
    public void Templates_with_many_parts_render_every_part()
    {
        var template = Template.Parse("${context.clientId}/${context.authData.subdomain}/${context.scopes}/end");

        Assert.Equal("client-1/acme/read write/end", template.Render(Context()));
    }

    [Fact]
    public void The_template_cache_parses_each_source_once()
    {
        var cache = new TemplateCache(capacity: 2);

        var first = cache.GetOrParse("${context.clientId}");
        var second = cache.GetOrParse("${context.clientId}");
        cache.GetOrParse("b");
        cache.GetOrParse("c");

        Assert.Same(first, second);
        Assert.True(cache.Count <= 2);
    }

    private sealed class RecordingEvaluator(JsonNode? result) : IScriptExpressionEvaluator
    {
        public List<string> Expressions { get; } = [];

        public JsonNode? Evaluate(string expression, JsonObject context)
        {
            Expressions.Add(expression);
            return result?.DeepClone();
        }
    }

    private sealed class ThrowingEvaluator : IScriptExpressionEvaluator
    {
        public JsonNode? Evaluate(string expression, JsonObject context) =>
            throw new InvalidOperationException($"Unexpected token in JSON: {context["clientSecret"]}");
    }
}
