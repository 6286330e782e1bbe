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
        var options = new SandboxOptions { };
        for (int i = 0; i < 10; i++) {
        using var cts = new CancellationTokenSource(300);
        var bridge = new SandboxBridge(harness.Get<OutboundHttpClient>(), new RunDiagnostics(false, 0, 0), 10, TimeProvider.System, cts.Token);
        try {
        using var engine = new SandboxEngine(options, bridge, TimeSpan.FromMilliseconds(300), default);
        await engine.RunAsync(SandboxEngine.PrepareBlock($"const response = await axios.get('{server.BaseUrl}/slow'); return response.data;"), "{}", cts.Token);
        } catch (Exception e) { output.WriteLine(i + " " + e.GetType() + ": " + e.Message + " inner " + e.InnerException?.GetType()); }
        }
    }
}
