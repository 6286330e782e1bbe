using System.Text.Json.Nodes;

namespace ViaSocket.Blocks.Tests;

/// <summary>The axios shim against a real Kestrel provider on 127.0.0.1.</summary>
public sealed class AxiosTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    [Fact]
    public async Task A_json_post_sends_the_object_as_json_and_returns_the_parsed_response()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            const response = await axios.post('{{server.BaseUrl}}/echo', { code: context.authData.code, n: 2 });
            return { status: response.status, statusText: response.statusText, type: response.headers['content-type'], echo: response.data };
            """, new JsonObject { ["authData"] = new JsonObject { ["code"] = "abc" } });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(200, result.Result!["status"]!.GetValue<int>());
        Assert.Equal("OK", result.Result!["statusText"]!.GetValue<string>());
        Assert.StartsWith("application/json", result.Result!["type"]!.GetValue<string>(), StringComparison.Ordinal);
        var echo = result.Result!["echo"]!;
        Assert.Equal("POST", echo["method"]!.GetValue<string>());
        Assert.StartsWith("application/json", echo["contentType"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""{"code":"abc","n":2}""", echo["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_url_search_params_body_is_sent_form_encoded()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'a b&c', redirect_uri: context.redirectUri });
            const response = await axios.post('{{server.BaseUrl}}/echo', body);
            return response.data;
            """, new JsonObject { ["redirectUri"] = "https://app.example/cb?x=1" });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.StartsWith("application/x-www-form-urlencoded", result.Result!["contentType"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("grant_type=authorization_code&code=a+b%26c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1", result.Result!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_string_body_is_sent_as_is_with_a_form_content_type()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($"const r = await axios.request({{ method: 'post', url: '{server.BaseUrl}/echo', data: 'a=1&b=2' }}); return r.data;");

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("application/x-www-form-urlencoded", result.Result!["contentType"]!.GetValue<string>());
        Assert.Equal("a=1&b=2", result.Result!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Basic_auth_and_custom_headers_and_params_are_sent()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            const r = await axios.get('{{server.BaseUrl}}/echo', {
              auth: { username: context.clientId, password: context.clientSecret },
              headers: { 'X-Custom': 'yes' },
              params: { q: 'a b', list: [1, 2] },
            });
            return r.data;
            """, new JsonObject { ["clientId"] = "client", ["clientSecret"] = "s3cr3t:é" });

        Assert.True(result.Succeeded, result.Failure?.Message);
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("client:s3cr3t:é"));
        Assert.Contains(expected, server.SeenAuthorizations);
        Assert.Equal("Basic [client secret]", result.Result!["authorization"]!.GetValue<string>());
        Assert.Equal("yes", result.Result!["custom"]!.GetValue<string>());
        Assert.Equal("?q=a+b&list=1&list=2", result.Result!["query"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_4xx_caught_in_try_catch_exposes_the_response_status_and_data()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            try {
              await axios.get('{{server.BaseUrl}}/status/400');
              return 'not thrown';
            } catch (error) {
              return { status: error.response.status, data: error.response.data, isAxiosError: error.isAxiosError, message: error.message };
            }
            """);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(400, result.Result!["status"]!.GetValue<int>());
        Assert.Equal("invalid_grant", result.Result!["data"]!["error"]!.GetValue<string>());
        Assert.True(result.Result!["isAxiosError"]!.GetValue<bool>());
        Assert.Equal("Request failed with status code 400", result.Result!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rethrown_4xx_becomes_an_http_status_failure_with_status_and_data()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            try {
              const response = await axios.get('{{server.BaseUrl}}/status/401');
              return response.data;
            } catch (error) {
              throw error;
            }
            """);

        Assert.Equal(BlockFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.HttpError, result.Failure!.Code);
        Assert.Equal(401, result.Failure.HttpStatus);
        Assert.Equal("invalid_grant", result.Failure.ResponseData!["error"]!.GetValue<string>());
        Assert.False(result.Failure.IsTransient);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_transient_and_carries_the_delay()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/ratelimited')).data;");

        Assert.Equal(BlockFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(429, result.Failure!.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Failure.RetryAfter);
        Assert.True(result.Failure.IsTransient);
    }

    [Fact]
    public async Task A_slow_provider_past_the_axios_timeout_is_a_timeout_failure()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/slow', {{ timeout: 200 }})).data;");

        Assert.Equal(BlockFailureKind.Timeout, result.Failure?.Kind);
        Assert.True(result.Failure!.IsTransient);
    }

    [Fact]
    public async Task A_slow_provider_past_the_client_timeout_is_a_timeout_error_with_the_axios_code()
    {
        using var harness = new BlockRunnerHarness(outbound: options =>
        {
            options.AllowedNetworks = ["127.0.0.1/32"];
            options.Timeout = TimeSpan.FromMilliseconds(200);
        });

        var result = await harness.RunCodeAsync($"try {{ await axios.get('{server.BaseUrl}/slow'); }} catch (e) {{ return {{ code: e.code, hasResponse: e.response !== undefined }}; }}");

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("ECONNABORTED", result.Result!["code"]!.GetValue<string>());
        Assert.False(result.Result!["hasResponse"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/redirect')).data;");

        Assert.Equal(BlockFailureKind.Refused, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.RedirectRefused, result.Failure!.Code);
        Assert.Equal(302, result.Failure.HttpStatus);
        Assert.Equal(0, server.CountOf("/redirect-target"));
    }

    [Fact]
    public async Task An_oversized_response_is_refused()
    {
        using var harness = new BlockRunnerHarness(outbound: options =>
        {
            options.AllowedNetworks = ["127.0.0.1/32"];
            options.MaxResponseBytes = 1024;
        });

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/large')).data;");

        Assert.Equal(BlockFailureKind.Refused, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.ResponseTooLarge, result.Failure!.Code);
    }

    [Fact]
    public async Task A_text_response_is_returned_as_a_string()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/text')).data;");

        Assert.Equal("plain words", result.Result!.GetValue<string>());
    }

    [Fact]
    public async Task The_http_trace_redacts_query_values_and_records_status()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(
            $"await axios.get('{server.BaseUrl}/json?code=secret-code&state=xyz'); return 1;", diagnostics: true);

        var entry = Assert.Single(result.HttpTrace);
        Assert.Equal("GET", entry.Method);
        Assert.Equal($"{server.BaseUrl}/json?code=***&state=***", entry.Url);
        Assert.Equal(200, entry.Status);
        Assert.DoesNotContain("secret-code", entry.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_network_failure()
    {
        using var harness = new BlockRunnerHarness();

        // Port 1 on loopback: allowed by the policy, but nothing listens there.
        var result = await harness.RunCodeAsync("return (await axios.get('http://127.0.0.1:1/x')).data;");

        Assert.Equal(BlockFailureKind.Network, result.Failure?.Kind);
        Assert.True(result.Failure!.IsTransient);

        // Nothing was sent: a provider that rotates refresh tokens cannot have retired the one presented.
        Assert.Equal(BlockErrorCodes.Unreachable, result.Failure.Code);
    }

    [Theory]
    [InlineData("{ headers: { 'Bad Header': 'v' } }")]
    [InlineData("{ method: 'BAD METHOD' }")]
    public async Task A_malformed_request_is_a_catchable_error_without_dotnet_details(string config)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(
            $"try {{ await axios.request(Object.assign({{ url: '{server.BaseUrl}/json' }}, {config})); }} catch (e) {{ return {{ code: e.code, message: e.message }}; }}");

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("ERR_INVALID_REQUEST", result.Result!["code"]!.GetValue<string>());
        Assert.DoesNotContain("System.", result.Result!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_url_is_a_script_failure()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("return (await axios.get('/relative')).data;");

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
    }
}
