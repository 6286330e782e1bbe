using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks.Tests;

/// <summary>Every block request must be under the version's allowed URLs; one outside is refused before it is sent.</summary>
public sealed class BlockUrlPolicyTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    private static readonly JsonObject Context = new()
    {
        ["clientSecret"] = "s3cret-of-the-client",
        ["authData"] = new JsonObject { ["tenant"] = "acme" },
    };

    private BlockUrlPolicy Allowing(string path) => new(new AllowedUrlPolicy([server.BaseUrl + path]), new HashSet<string>());

    [Fact]
    public async Task A_declarative_request_outside_the_allowed_urls_is_not_sent()
    {
        using var harness = new BlockRunnerHarness();
        var before = server.CountOf("/echo");

        var result = await harness.RunRequestAsync(new RequestDefinition { Method = "POST", Url = $"{server.BaseUrl}/echo" }, Context, urls: Allowing("/token"));

        Assert.Equal(BlockErrorCodes.UrlNotAllowed, result.Failure?.Code);
        Assert.Equal(BlockFailureKind.Refused, result.Failure?.Kind);
        Assert.Equal(before, server.CountOf("/echo"));
    }

    [Fact]
    public async Task A_declarative_request_under_the_allowed_urls_is_sent()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition { Method = "POST", Url = $"{server.BaseUrl}/echo" }, Context, urls: Allowing("/echo"));

        Assert.True(result.Succeeded, result.Failure?.Message);
    }

    [Fact]
    public async Task A_javascript_request_outside_the_allowed_urls_fails_the_run_even_when_the_script_catches_it()
    {
        using var harness = new BlockRunnerHarness();
        var before = server.CountOf("/echo");

        var result = await harness.RunCodeAsync($$"""
            try {
              await axios.post('{{server.BaseUrl}}/echo', { secret: context.clientSecret });
            } catch (error) {
              return { swallowed: error.code };
            }
            """, Context, diagnostics: true, urls: Allowing("/token"));

        Assert.Equal(BlockErrorCodes.UrlNotAllowed, result.Failure?.Code);
        Assert.Null(result.Result);
        Assert.Equal(before, server.CountOf("/echo"));
        Assert.Contains(result.HttpTrace, call => call.Status is null && call.Error!.Contains("allowed URLs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_path_value_cannot_climb_out_of_the_allowed_path()
    {
        using var harness = new BlockRunnerHarness();
        var before = server.CountOf("/echo");

        var result = await harness.RunRequestAsync(
            new RequestDefinition { Method = "GET", Url = server.BaseUrl + "/api/${context.authData.tenant}/items" },
            new JsonObject { ["authData"] = new JsonObject { ["tenant"] = "../../echo" } },
            urls: Allowing("/api"));

        // The value stays one encoded segment (/api/..%2F..%2Fecho/items), which the allowed-URL check refuses as ambiguous.
        Assert.Equal(BlockErrorCodes.UrlNotAllowed, result.Failure?.Code);
        Assert.Equal(before, server.CountOf("/echo"));
    }
}
