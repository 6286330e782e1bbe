using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Benchmarks;

/// <summary>
/// Rendering the append templates of a typical version (a bearer header, a header with a field value and a
/// query parameter). Target: at most 2 µs per render of the whole set; the baseline concatenates the same values
/// read from the same context by hand.
/// </summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private readonly JsonObject context = JsonNode.Parse("""
        {
          "clientId": "client-1",
          "scopes": "read write",
          "authData": {
            "subdomain": "acme",
            "account_id": "acct-42",
            "api_version": "2024-01",
            "accesstokencode": { "access_token": "ya29.a0AfH6SMBx-token-value", "expires_in": 3599, "token_type": "Bearer" }
          }
        }
        """)!.AsObject();

    private readonly Template authorization = Template.Parse("Bearer ${context.authData.accesstokencode.access_token}");
    private readonly Template account = Template.Parse("${context.authData.account_id}");
    private readonly Template apiVersion = Template.Parse("${context.authData.api_version}");

    private readonly CredentialBuilder builder = CredentialBuilder.Compile(new AppendDefinition
    {
        Headers = new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}",
            ["X-Account"] = "${context.authData.account_id}",
        },
        Query = new Dictionary<string, string> { ["api_version"] = "${context.authData.api_version}" },
    });

    [Benchmark(Baseline = true)]
    public int ConcatBaseline()
    {
        var authData = context["authData"]!;
        var header = string.Concat("Bearer ", (string)authData["accesstokencode"]!["access_token"]!);
        var accountValue = (string)authData["account_id"]!;
        var version = (string)authData["api_version"]!;
        return header.Length + accountValue.Length + version.Length;
    }

    [Benchmark]
    public int RenderAppendTemplates() =>
        authorization.Render(context).Length + account.Render(context).Length + apiVersion.Render(context).Length;

    [Benchmark]
    public RenderedCredentials BuildCredentials() => builder.Build(context);

    [Benchmark]
    public Template ParseTemplate() => Template.Parse("Bearer ${context.authData.accesstokencode.access_token}");
}
