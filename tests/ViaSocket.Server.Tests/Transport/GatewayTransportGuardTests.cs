using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using ViaSocket.ClusterSecurity;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Transport;

/// <summary>The transport rule of cluster clients, applied to the gateways Orleans' own static list provider returns.</summary>
public sealed class GatewayTransportGuardTests : IDisposable
{
    private static readonly ClusterTlsOptions NoTls = new();
    private readonly CapturedLogs logs = new();
    private readonly ILoggerFactory loggers;

    public GatewayTransportGuardTests() => loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));

    private GatewayTransportGuard Guard(ClusterTlsOptions tls, bool allowInsecureTransport, params string[] gateways)
    {
        var inner = new StaticGatewayListProvider(
            Options.Create(new StaticGatewayListProviderOptions { Gateways = gateways.Select(g => new Uri(g)).ToList() }),
            Options.Create(new GatewayOptions()));
        return new GatewayTransportGuard(inner, tls, allowInsecureTransport, loggers.CreateLogger<GatewayTransportGuard>());
    }

    [Fact]
    public async Task Gateways_on_this_machine_are_used_without_tls()
    {
        var guard = Guard(NoTls, allowInsecureTransport: false, "gwy.tcp://127.0.0.1:30000/0", "gwy.tcp://[::1]:30001/0", "gwy.tcp://localhost:30002/0");

        Assert.Equal(3, (await guard.GetGatewaysAsync(CancellationToken.None)).Count);
        Assert.Empty(logs.Lines);
    }

    [Theory]
    [InlineData("gwy.tcp://10.0.0.5:30000/0")]
    [InlineData("gwy.tcp://[fd00::5]:30000/0")]
    [InlineData("gwy.tcp://192.0.2.10:30000/7")]
    public async Task A_gateway_reachable_off_this_machine_is_refused_without_tls(string reachable)
    {
        var guard = Guard(NoTls, allowInsecureTransport: false, "gwy.tcp://127.0.0.1:30000/0", reachable);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => guard.GetGatewaysAsync(CancellationToken.None));
        Assert.Contains(new Uri(reachable).Authority, refused.Message, StringComparison.Ordinal);
        Assert.Contains("ViaSocket:Cluster:AllowInsecureTransport", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(guard.GetGateways);
    }

    [Fact]
    public async Task With_tls_any_gateway_is_used()
    {
        var guard = Guard(new ClusterTlsOptions { CertificatePath = "node.crt" }, allowInsecureTransport: false, "gwy.tcp://10.0.0.5:30000/0");

        Assert.Single(await guard.GetGatewaysAsync(CancellationToken.None));
        Assert.Empty(logs.Lines);
    }

    [Fact]
    public async Task Allowing_insecure_transport_uses_reachable_gateways_with_one_warning()
    {
        var guard = Guard(NoTls, allowInsecureTransport: true, "gwy.tcp://10.0.0.5:30000/0");

        Assert.Single(await guard.GetGatewaysAsync(CancellationToken.None));
        Assert.Single(await guard.GetGateways());
        var warning = Assert.Single(logs.Lines);
        Assert.StartsWith("Warning ", warning, StringComparison.Ordinal);
        Assert.Contains(TransportSecurityPolicy.InsecureWarning, warning, StringComparison.Ordinal);
    }

    public void Dispose() => loggers.Dispose();
}
