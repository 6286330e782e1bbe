using System.Net;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Benchmarks;

/// <summary>
/// API block runs: a JavaScript block without I/O (fresh engine per run, prepared script cached), the same kind
/// of block exchanging a code with a token endpoint on loopback, and that exchange made directly from C#
/// through the same guarded client (the baseline the sandbox overhead is measured against).
/// </summary>
[MemoryDiagnoser]
public class BlockBenchmarks
{
    private const string ComputeCode = """
        const parts = context.scopes.split(' ');
        return { label: context.authData.email.toLowerCase(), scopes: parts, count: parts.length };
        """;

    private readonly JsonObject _context = JsonNode.Parse("""
        {
          "clientId": "client-1",
          "clientSecret": "secret-1",
          "redirectUri": "https://app.example/oauth/callback",
          "codeVerifier": "verifier-abcdefghijklmnopqrstuvwxyz0123456789",
          "scopes": "read write admin",
          "authData": { "code": "auth-code-123", "email": "Jane@Example.com" }
        }
        """)!.AsObject();

    private WebApplication? _provider;
    private ServiceProvider? _services;
    private IBlockRunner _runner = null!;
    private OutboundHttpClient _client = null!;
    private string _tokenUrl = "";
    private ApiBlock _computeBlock = null!;
    private ApiBlock _exchangeBlock = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _provider = builder.Build();
        _provider.MapPost("/token", () => Results.Json(new { access_token = "at-123", refresh_token = "rt-456", expires_in = 3600, token_type = "Bearer" }));
        await _provider.StartAsync();
        var address = _provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _tokenUrl = new Uri(new Uri(address), "/token").ToString();

        var services = new ServiceCollection();
        services.AddBlockRunner();
        services.AddGuardedOutboundHttp(options => options.AllowedNetworks = ["127.0.0.1/32"]);
        _services = services.BuildServiceProvider();
        _runner = _services.GetRequiredService<IBlockRunner>();
        _client = _services.GetRequiredService<OutboundHttpClient>();
        _computeBlock = new ApiBlock { Code = ComputeCode };
        _exchangeBlock = new ApiBlock
        {
            Code = $$"""
                const body = new URLSearchParams({
                  grant_type: 'authorization_code', code: context.authData.code, redirect_uri: context.redirectUri,
                  client_id: context.clientId, client_secret: context.clientSecret, code_verifier: context.codeVerifier,
                });
                try {
                  const response = await axios.post('{{_tokenUrl}}', body);
                  return response.data;
                } catch (error) {
                  throw error;
                }
                """,
        };
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _services?.Dispose();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [Benchmark]
    public async Task<JsonNode?> JavaScriptBlockWithoutHttp()
        => (await _runner.RunAsync(new BlockRunRequest("bench/compute", _computeBlock, _context, BlockUrlPolicy.AddressGuardOnly))).Result;

    [Benchmark]
    public async Task<JsonNode?> JavaScriptBlockWithLoopbackTokenCall()
        => (await _runner.RunAsync(new BlockRunRequest("bench/exchange", _exchangeBlock, _context, BlockUrlPolicy.AddressGuardOnly))).Result;

    [Benchmark(Baseline = true)]
    public async Task<JsonNode?> DirectLoopbackTokenCallFromCSharp()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = (string)_context["authData"]!["code"]!,
                ["redirect_uri"] = (string)_context["redirectUri"]!,
                ["client_id"] = (string)_context["clientId"]!,
                ["client_secret"] = (string)_context["clientSecret"]!,
                ["code_verifier"] = (string)_context["codeVerifier"]!,
            }),
        };
        var response = await _client.SendAsync(request, CancellationToken.None);
        return JsonNode.Parse(response.Body);
    }
}
