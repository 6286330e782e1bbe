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

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:7f00:1::1")]
    public void Internal_and_reserved_addresses_are_refused_by_default(string address)
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions());

        var allowed = policy.IsAllowed(IPAddress.Parse(address));

        Assert.False(allowed);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address)
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions());

        var allowed = policy.IsAllowed(IPAddress.Parse(address));

        Assert.True(allowed);
    }

    [Fact]
    public void Allowing_loopback_opens_loopback_only()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowLoopback = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Allowing_private_networks_keeps_link_local_refused()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowPrivateNetworks = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fd12::1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void An_allowed_network_opens_exactly_that_block()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowedNetworks = ["127.0.0.1/32", "169.254.10.0/24"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("169.254.10.7")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void An_invalid_allowed_network_is_rejected_at_construction()
    {
        var options = new OutboundHttpOptions { AllowedNetworks = ["not-a-network"] };

        Assert.Throws<ArgumentException>(() => new OutboundAddressPolicy(options));
    }
}
