using System.Net;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Blocks.Tests;

/// <summary>With loopback not allowed, requests to internal addresses are refused at connect time.</summary>
public sealed class SsrfGuardTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    public static TheoryData<string> InternalHosts => new()
    {
        "127.0.0.1",
        "localhost",
        "[::1]",
        "169.254.169.254",
        "0.0.0.0",
        "[::ffff:127.0.0.1]",
        "127.1",
    };

    [Theory]
    [MemberData(nameof(InternalHosts))]
    public async Task A_request_to_an_internal_address_is_refused_before_it_reaches_a_server(string host)
    {
        using var harness = new BlockRunnerHarness(outbound: _ => { });
        var client = harness.Get<OutboundHttpClient>();
        var seenBefore = server.SeenPaths.Count;

        var error = await Assert.ThrowsAsync<OutboundRequestException>(() =>
            client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{host}:{server.Port}/json"), CancellationToken.None));

        Assert.Equal(OutboundFailureKind.AddressRefused, error.Kind);
        Assert.Equal(seenBefore, server.SeenPaths.Count);
    }

    [Fact]
    public async Task A_hostname_that_resolves_to_loopback_is_refused()
    {
        var hostname = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(hostname);
        Assert.Contains(addresses, IPAddress.IsLoopback);
        using var harness = new BlockRunnerHarness(outbound: _ => { });
        var seenBefore = server.SeenPaths.Count;

        var error = await Assert.ThrowsAsync<OutboundRequestException>(() =>
            harness.Get<OutboundHttpClient>().SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{hostname}:{server.Port}/json"), CancellationToken.None));

        Assert.Equal(OutboundFailureKind.AddressRefused, error.Kind);
        Assert.Equal(seenBefore, server.SeenPaths.Count);
    }

    [Fact]
    public async Task A_block_calling_loopback_fails_as_refused_and_the_server_sees_nothing()
    {
        using var harness = new BlockRunnerHarness(outbound: _ => { });
        var seenBefore = server.SeenPaths.Count;

        var result = await harness.RunCodeAsync($"return (await axios.get('{server.BaseUrl}/json')).data;");

        Assert.Equal(BlockFailureKind.Refused, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.AddressRefused, result.Failure!.Code);
        Assert.Equal(seenBefore, server.SeenPaths.Count);
    }

    [Fact]
    public async Task Loopback_allowed_by_the_operator_is_reached()
    {
        using var harness = new BlockRunnerHarness(outbound: options => options.AllowLoopback = true);

        var response = await harness.Get<OutboundHttpClient>().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"http://localhost:{server.Port}/json"), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
    }
}
