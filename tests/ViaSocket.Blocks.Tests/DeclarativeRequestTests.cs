using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks.Tests;

/// <summary>Declarative request blocks against the Kestrel provider on 127.0.0.1.</summary>
public sealed class DeclarativeRequestTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    private static readonly JsonObject Context = new()
    {
        ["clientId"] = "client",
        ["clientSecret"] = "s3cret-of-the-client",
        ["redirectUri"] = "https://app.example/cb",
        ["authData"] = new JsonObject { ["code"] = "the code", ["accesstokencode"] = new JsonObject { ["access_token"] = "tok", ["expires_in"] = 3600 } },
    };

    [Fact]
    public async Task A_json_body_is_rendered_with_value_types_kept()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Method = "POST",
            Url = $"{server.BaseUrl}/echo",
            Headers = new Dictionary<string, string> { ["X-Custom"] = "Bearer ${context.authData.accesstokencode.access_token}" },
            Query = new Dictionary<string, string> { ["client_id"] = "${context.clientId}" },
            Body = new Dictionary<string, string> { ["code"] = "${context.authData.code}", ["ttl"] = "${context.authData.accesstokencode.expires_in}" },
        }, Context);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("POST", result.Result!["method"]!.GetValue<string>());
        Assert.Equal("?client_id=client", result.Result!["query"]!.GetValue<string>());
        Assert.Equal("Bearer tok", result.Result!["custom"]!.GetValue<string>());
        Assert.StartsWith("application/json", result.Result!["contentType"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""{"code":"the code","ttl":3600}""", result.Result!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_form_body_is_sent_url_encoded()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Method = "POST",
            Url = $"{server.BaseUrl}/echo",
            BodyType = BodyTypes.Form,
            Body = new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = "${context.authData.code}",
                ["redirect_uri"] = "${context.redirectUri}",
            },
        }, Context);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.StartsWith("application/x-www-form-urlencoded", result.Result!["contentType"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("grant_type=authorization_code&code=the+code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", result.Result!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_raw_body_is_sent_as_rendered_with_the_content_type_from_headers()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Method = "PUT",
            Url = $"{server.BaseUrl}/echo",
            BodyType = BodyTypes.Raw,
            RawBody = "<code>${context.authData.code}</code>",
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/xml" },
        }, Context);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("PUT", result.Result!["method"]!.GetValue<string>());
        Assert.Equal("application/xml", result.Result!["contentType"]!.GetValue<string>());
        Assert.Equal("<code>the code</code>", result.Result!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_script_expression_in_a_header_is_evaluated_in_the_sandbox()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Url = $"{server.BaseUrl}/echo",
            Headers = new Dictionary<string, string> { ["Authorization"] = "Basic ${btoa(context.clientId + ':' + context.clientSecret)}" },
        }, Context);

        // The provider got the secret; the block's result, which echoes it, has it masked.
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Contains("Basic " + Convert.ToBase64String("client:s3cret-of-the-client"u8.ToArray()), server.SeenAuthorizations);
        Assert.Equal("Basic [client secret]", result.Result!["authorization"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_4xx_response_is_an_http_status_failure_with_the_parsed_body()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/status/400" }, Context);

        Assert.Equal(BlockFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(400, result.Failure!.HttpStatus);
        Assert.Equal("invalid_grant", result.Failure.ResponseData!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_template_path_is_a_template_error_naming_the_member_not_the_values()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Url = $"{server.BaseUrl}/echo",
            Query = new Dictionary<string, string> { ["secret"] = "${context.clientSecret}", ["x"] = "${context.authData.missing}" },
        }, Context);

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.TemplateError, result.Failure!.Code);
        Assert.Contains("/request/query/x", result.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Failure.Message.Replace("/request/query/secret", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_to_loopback_without_permission_is_refused()
    {
        using var harness = new BlockRunnerHarness(outbound: _ => { });
        var seenBefore = server.SeenPaths.Count;

        var result = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/json" }, Context);

        Assert.Equal(BlockErrorCodes.AddressRefused, result.Failure?.Code);
        Assert.Equal(seenBefore, server.SeenPaths.Count);
    }

    [Fact]
    public async Task The_trace_of_a_declarative_request_redacts_query_values()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition
        {
            Url = $"{server.BaseUrl}/json",
            Query = new Dictionary<string, string> { ["client_secret"] = "${context.clientSecret}" },
        }, Context, diagnostics: true);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal($"{server.BaseUrl}/json?client_secret=***", Assert.Single(result.HttpTrace).Url);
    }
}
