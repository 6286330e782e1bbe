using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Security;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// The version's <c>clientAuthentication</c> applied to declarative token requests, and <c>context.clientBasicAuth</c> for
/// JavaScript blocks, against the Kestrel echo server on 127.0.0.1.
/// </summary>
public sealed class ClientAuthenticationTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    private const string ClientId = "my app:1";
    private const string ClientSecret = "p@ss wörd+/=secret";

    private static JsonObject Context() => new()
    {
        [ContextKeys.ClientId] = ClientId,
        [ContextKeys.ClientSecret] = ClientSecret,
        [ContextKeys.AuthData] = new JsonObject { ["code"] = "the-code" },
    };

    private RequestDefinition TokenRequest(string bodyType = BodyTypes.Form) => new()
    {
        Method = "POST",
        Url = $"{server.BaseUrl}/echo",
        BodyType = bodyType,
        Body = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "${context.authData.code}" },
    };

    private async Task<(string Authorization, string Body)> SendAsync(string? mode, RequestDefinition? request = null)
    {
        using var harness = new BlockRunnerHarness();
        server.SeenAuthorizations.Clear();
        var result = await harness.Runner.RunAsync(new BlockRunRequest("test/client-auth", new ApiBlock { Request = request ?? TokenRequest() }, Context(), BlockUrlPolicy.AddressGuardOnly)
        {
            ClientAuthentication = mode,
        });
        Assert.True(result.Succeeded, result.Failure?.Message);

        // What the provider received; the block's own result has the secret masked.
        Assert.DoesNotContain(ClientSecret, result.Result!.ToJsonString(), StringComparison.Ordinal);
        return (server.SeenAuthorizations.Single(), EchoedBody(result));
    }

    private static string EchoedBody(BlockRunResult result) => result.Result!["body"]!.GetValue<string>();

    [Fact]
    public async Task Basic_sends_the_rfc_6749_encoded_header_and_nothing_in_the_body()
    {
        var (authorization, body) = await SendAsync(ClientAuthModes.Basic);

        Assert.StartsWith("Basic ", authorization, StringComparison.Ordinal);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        Assert.Equal(ClientId, HttpUtility.UrlDecode(decoded[..colon]));
        Assert.Equal(ClientSecret, HttpUtility.UrlDecode(decoded[(colon + 1)..]));
        Assert.Equal("grant_type=authorization_code&code=the-code", body);
    }

    [Fact]
    public async Task Body_puts_the_id_and_secret_into_the_form_and_sends_no_header()
    {
        var (authorization, body) = await SendAsync(ClientAuthModes.Body);

        Assert.Equal("", authorization);
        var form = HttpUtility.ParseQueryString(body);
        Assert.Equal(ClientId, form["client_id"]);
        Assert.Equal(SecretMask.Replacement, form["client_secret"]);
        Assert.Equal("the-code", form["code"]);
    }

    [Fact]
    public async Task Body_puts_the_id_and_secret_into_a_json_body_too()
    {
        var (_, body) = await SendAsync(ClientAuthModes.Body, TokenRequest(BodyTypes.Json));

        var json = JsonNode.Parse(body)!;
        Assert.Equal(ClientId, (string?)json["client_id"]);
        Assert.Equal(SecretMask.Replacement, (string?)json["client_secret"]);
    }

    [Fact]
    public async Task Body_authentication_makes_a_body_for_a_request_that_had_none()
    {
        var (_, body) = await SendAsync(ClientAuthModes.Body, TokenRequest() with { Body = new Dictionary<string, string>() });

        Assert.Equal(ClientId, HttpUtility.ParseQueryString(body)["client_id"]);
    }

    [Fact]
    public async Task Both_sends_basic_and_the_client_id_but_never_the_secret_twice()
    {
        var (authorization, body) = await SendAsync(ClientAuthModes.Both);

        Assert.StartsWith("Basic ", authorization, StringComparison.Ordinal);
        var form = HttpUtility.ParseQueryString(body);
        Assert.Equal(ClientId, form["client_id"]);
        Assert.Null(form["client_secret"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(ClientAuthModes.Block)]
    public async Task Block_mode_adds_nothing(string? mode)
    {
        var (authorization, body) = await SendAsync(mode);

        Assert.Equal("", authorization);
        Assert.Equal("grant_type=authorization_code&code=the-code", body);
    }

    [Fact]
    public async Task A_version_without_a_client_secret_fails_the_block_instead_of_sending_half_credentials()
    {
        using var harness = new BlockRunnerHarness();
        var context = Context();
        context.Remove(ContextKeys.ClientSecret);

        var result = await harness.Runner.RunAsync(new BlockRunRequest("test/no-secret", new ApiBlock { Request = TokenRequest() }, context, BlockUrlPolicy.AddressGuardOnly)
        {
            ClientAuthentication = ClientAuthModes.Basic,
        });

        Assert.Equal(BlockErrorCodes.TemplateError, result.Failure?.Code);
    }

    [Fact]
    public async Task A_javascript_block_gets_a_ready_basic_header_that_its_console_and_result_never_show()
    {
        using var harness = new BlockRunnerHarness();
        var version = CompiledAuthVersion.Compile(new AuthVersionDefinition
        {
            Authorization = new AuthorizationDefinition { Url = "https://provider.example.com/authorize", ClientId = ClientId, ClientSecret = ClientSecret },
        }, "r1");
        var context = ConnectionContext.Create(version, new JsonObject(), "https://app.example/cb", null);
        server.SeenAuthorizations.Clear();

        var result = await harness.Runner.RunAsync(new BlockRunRequest("test/js-basic", new ApiBlock
        {
            Code = $$"""
                console.log('header', context.clientBasicAuth);
                const response = await axios.post('{{server.BaseUrl}}/echo', 'grant_type=refresh_token', {
                  headers: { Authorization: context.clientBasicAuth, 'Content-Type': 'application/x-www-form-urlencoded' },
                });
                return { sent: context.clientBasicAuth, status: response.status };
                """,
        }, context, BlockUrlPolicy.AddressGuardOnly, new BlockRunOptions { CaptureDiagnostics = true }));

        Assert.True(result.Succeeded, result.Failure?.Message);
        var header = server.SeenAuthorizations.Single();
        Assert.Equal(Domain.Credentials.ClientBasicAuth.HeaderValue(ClientId, ClientSecret), header);
        var base64 = header["Basic ".Length..];
        Assert.DoesNotContain(base64, result.Result!.ToJsonString(), StringComparison.Ordinal);
        Assert.All(result.Console, line => Assert.DoesNotContain(base64, line.Message, StringComparison.Ordinal));
    }
}
