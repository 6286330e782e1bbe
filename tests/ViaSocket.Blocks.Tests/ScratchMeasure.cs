using System.Diagnostics;
using Xunit.Abstractions;
using ViaSocket.Blocks.Http;
using ViaSocket.Blocks.Sandbox;
namespace ViaSocket.Blocks.Tests;
public sealed class ScratchMeasure(ITestOutputHelper output, ProviderServer server) : IClassFixture<ProviderServer>
{
    [Fact]
    public async Task Measure()
    {
        using var harness = new BlockRunnerHarness();
        var options = new SandboxOptions();
        var client = harness.Get<OutboundHttpClient>();
        var block = SandboxEngine.PrepareBlock("return 1;");
        var http = SandboxEngine.PrepareBlock($"return (await axios.get('{server.BaseUrl}/json')).data;");
        for (var round = 0; round < 3; round++)
        {
            var create = TimeSpan.Zero; var run = TimeSpan.Zero; var runHttp = TimeSpan.Zero; var direct = TimeSpan.Zero; var bareTotal = TimeSpan.Zero;
            for (var i = 0; i < 200; i++)
            {
                var sw = Stopwatch.StartNew();
                using (var bare = new Jint.Engine(o => { o.Strict = true; o.Constraints.StackOverflowGuard = true; Jint.ConstraintsOptionsExtensions.MaxStatements(o, 1000); })) { bare.Evaluate("1"); }
                bareTotal += sw.Elapsed; sw.Restart();
                var bridge = new SandboxBridge(client, new RunDiagnostics(false, 0, 0), 10, TimeProvider.System, default);
                using var engine = new SandboxEngine(options, bridge, TimeSpan.FromSeconds(10), default);
                create += sw.Elapsed; sw.Restart();
                await engine.RunAsync(block, "{}", default);
                run += sw.Elapsed; sw.Restart();
                await engine.RunAsync(http, "{}", default);
                runHttp += sw.Elapsed; sw.Restart();
                await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + "/json"), default);
                direct += sw.Elapsed;
            }
            output.WriteLine($"create {create.TotalMicroseconds / 200:0} us, run {run.TotalMicroseconds / 200:0} us, http {runHttp.TotalMicroseconds / 200:0} us, direct {direct.TotalMicroseconds / 200:0} us bare {bareTotal.TotalMicroseconds / 200:0} us");
        }
    }
}
