using System.Net;
using System.Numerics;
using Microsoft.Security.AntiSSRF;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// The address policy against every row of the IANA IPv4 and IPv6 Special-Purpose Address Registries and the blocks
/// they leave to other documents: for each block an address at each end inside it and the nearest addresses outside it.
/// </summary>
public sealed class OutboundAddressPolicyTests
{
    private const bool Allowed = true;
    private const bool Refused = false;

    /// <summary>Address, verdict under the default policy, and the block it probes.</summary>
    public static TheoryData<string, bool, string> DefaultVerdicts => new()
    {
        // IPv4 Special-Purpose Address Registry
        { "0.0.0.0", Refused, "0.0.0.0/8 this network" },
        { "0.255.255.255", Refused, "0.0.0.0/8 this network" },
        { "1.0.0.0", Allowed, "after 0.0.0.0/8" },
        { "9.255.255.255", Allowed, "before 10.0.0.0/8" },
        { "10.0.0.0", Refused, "10.0.0.0/8 private" },
        { "10.255.255.255", Refused, "10.0.0.0/8 private" },
        { "11.0.0.0", Allowed, "after 10.0.0.0/8" },
        { "100.63.255.255", Allowed, "before 100.64.0.0/10" },
        { "100.64.0.0", Refused, "100.64.0.0/10 shared address space" },
        { "100.127.255.255", Refused, "100.64.0.0/10 shared address space" },
        { "100.128.0.0", Allowed, "after 100.64.0.0/10" },
        { "126.255.255.255", Allowed, "before 127.0.0.0/8" },
        { "127.0.0.0", Refused, "127.0.0.0/8 loopback" },
        { "127.255.255.255", Refused, "127.0.0.0/8 loopback" },
        { "128.0.0.0", Allowed, "after 127.0.0.0/8" },
        { "168.63.129.15", Allowed, "before 168.63.129.16/32" },
        { "168.63.129.16", Refused, "168.63.129.16/32 Azure WireServer (not in the registry)" },
        { "168.63.129.17", Allowed, "after 168.63.129.16/32" },
        { "169.253.255.255", Allowed, "before 169.254.0.0/16" },
        { "169.254.0.0", Refused, "169.254.0.0/16 link local" },
        { "169.254.169.254", Refused, "169.254.0.0/16 link local (cloud metadata)" },
        { "169.254.255.255", Refused, "169.254.0.0/16 link local" },
        { "169.255.0.0", Allowed, "after 169.254.0.0/16" },
        { "172.15.255.255", Allowed, "before 172.16.0.0/12" },
        { "172.16.0.0", Refused, "172.16.0.0/12 private" },
        { "172.31.255.255", Refused, "172.16.0.0/12 private" },
        { "172.32.0.0", Allowed, "after 172.16.0.0/12" },
        { "191.255.255.255", Allowed, "before 192.0.0.0/24" },
        { "192.0.0.0", Refused, "192.0.0.0/24 IETF protocol assignments" },
        { "192.0.0.9", Refused, "192.0.0.9/32 PCP anycast (globally reachable, refused with its /24)" },
        { "192.0.0.170", Refused, "192.0.0.170/32 NAT64/DNS64 discovery" },
        { "192.0.0.255", Refused, "192.0.0.0/24 IETF protocol assignments" },
        { "192.0.1.0", Allowed, "after 192.0.0.0/24" },
        { "192.0.1.255", Allowed, "before 192.0.2.0/24" },
        { "192.0.2.0", Refused, "192.0.2.0/24 TEST-NET-1" },
        { "192.0.2.255", Refused, "192.0.2.0/24 TEST-NET-1" },
        { "192.0.3.0", Allowed, "after 192.0.2.0/24" },
        { "192.31.195.255", Allowed, "before 192.31.196.0/24" },
        { "192.31.196.0", Refused, "192.31.196.0/24 AS112-v4" },
        { "192.31.196.255", Refused, "192.31.196.0/24 AS112-v4" },
        { "192.31.197.0", Allowed, "after 192.31.196.0/24" },
        { "192.52.192.255", Allowed, "before 192.52.193.0/24" },
        { "192.52.193.0", Refused, "192.52.193.0/24 AMT" },
        { "192.52.193.255", Refused, "192.52.193.0/24 AMT" },
        { "192.52.194.0", Allowed, "after 192.52.193.0/24" },
        { "192.88.98.255", Allowed, "before 192.88.99.0/24" },
        { "192.88.99.0", Refused, "192.88.99.0/24 deprecated 6to4 relay anycast" },
        { "192.88.99.255", Refused, "192.88.99.0/24 deprecated 6to4 relay anycast" },
        { "192.88.100.0", Allowed, "after 192.88.99.0/24" },
        { "192.167.255.255", Allowed, "before 192.168.0.0/16" },
        { "192.168.0.0", Refused, "192.168.0.0/16 private" },
        { "192.168.255.255", Refused, "192.168.0.0/16 private" },
        { "192.169.0.0", Allowed, "after 192.168.0.0/16" },
        { "192.175.47.255", Allowed, "before 192.175.48.0/24" },
        { "192.175.48.0", Refused, "192.175.48.0/24 direct delegation AS112" },
        { "192.175.48.255", Refused, "192.175.48.0/24 direct delegation AS112" },
        { "192.175.49.0", Allowed, "after 192.175.48.0/24" },
        { "198.17.255.255", Allowed, "before 198.18.0.0/15" },
        { "198.18.0.0", Refused, "198.18.0.0/15 benchmarking" },
        { "198.19.255.255", Refused, "198.18.0.0/15 benchmarking" },
        { "198.20.0.0", Allowed, "after 198.18.0.0/15" },
        { "198.51.99.255", Allowed, "before 198.51.100.0/24" },
        { "198.51.100.0", Refused, "198.51.100.0/24 TEST-NET-2" },
        { "198.51.100.255", Refused, "198.51.100.0/24 TEST-NET-2" },
        { "198.51.101.0", Allowed, "after 198.51.100.0/24" },
        { "203.0.112.255", Allowed, "before 203.0.113.0/24" },
        { "203.0.113.0", Refused, "203.0.113.0/24 TEST-NET-3" },
        { "203.0.113.255", Refused, "203.0.113.0/24 TEST-NET-3" },
        { "203.0.114.0", Allowed, "after 203.0.113.0/24" },
        { "223.255.255.255", Allowed, "before 224.0.0.0/4" },
        { "224.0.0.0", Refused, "224.0.0.0/4 multicast" },
        { "239.255.255.255", Refused, "224.0.0.0/4 multicast" },
        { "240.0.0.0", Refused, "240.0.0.0/4 reserved" },
        { "255.255.255.254", Refused, "240.0.0.0/4 reserved" },
        { "255.255.255.255", Refused, "255.255.255.255/32 limited broadcast" },
        { "8.8.8.8", Allowed, "public" },

        // IPv6 Special-Purpose Address Registry, and the blocks of RFC 4291 and RFC 3879
        { "::", Refused, "::/128 unspecified" },
        { "::1", Refused, "::1/128 loopback" },
        { "::2", Refused, "::/96 IPv4-compatible" },
        { "::7f00:1", Refused, "::/96 IPv4-compatible (127.0.0.1)" },
        { "::a9fe:a9fe", Refused, "::/96 IPv4-compatible (169.254.169.254)" },
        { "::808:808", Refused, "::/96 IPv4-compatible, even of a public address" },
        { "::ffff:ffff", Refused, "::/96 IPv4-compatible, last address" },
        { "::1:0:0", Refused, "after ::/96: outside 2000::/3" },
        { "::ffff:8.8.8.8", Allowed, "::ffff:0:0/96 IPv4-mapped, judged as 8.8.8.8" },
        { "::ffff:10.0.0.1", Refused, "::ffff:0:0/96 IPv4-mapped, judged as 10.0.0.1" },
        { "::ffff:169.254.169.254", Refused, "::ffff:0:0/96 IPv4-mapped, judged as 169.254.169.254" },
        { "::ffff:0:808:808", Refused, "::ffff:0:0:0/96 IPv4-translated" },
        { "64:ff9b::808:808", Allowed, "64:ff9b::/96 NAT64, judged as 8.8.8.8" },
        { "64:ff9b::7f00:1", Refused, "64:ff9b::/96 NAT64, judged as 127.0.0.1" },
        { "64:ff9b::a00:1", Refused, "64:ff9b::/96 NAT64, judged as 10.0.0.1" },
        { "64:ff9b::c0a8:101", Refused, "64:ff9b::/96 NAT64, judged as 192.168.1.1" },
        { "64:ff9b::a9fe:a9fe", Refused, "64:ff9b::/96 NAT64, judged as 169.254.169.254" },
        { "64:ff9b::1:808:808", Refused, "after 64:ff9b::/96: outside 2000::/3" },
        { "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", Refused, "before 64:ff9b:1::/48: outside 2000::/3" },
        { "64:ff9b:1::", Refused, "64:ff9b:1::/48 local-use NAT64" },
        { "64:ff9b:1::808:808", Refused, "64:ff9b:1::/48 local-use NAT64" },
        { "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", Refused, "64:ff9b:1::/48 local-use NAT64" },
        { "100::", Refused, "100::/64 discard only" },
        { "100::ffff:ffff:ffff:ffff", Refused, "100::/64 discard only" },
        { "100:0:0:1::1", Refused, "100:0:0:1::/64 dummy prefix" },
        { "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "before 2000::/3 global unicast" },
        { "2000::", Allowed, "2000::/3 global unicast" },
        { "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Allowed, "before 2001::/23" },
        { "2001::", Refused, "2001::/32 Teredo" },
        { "2001:0:4136:e378:8000:63bf:3fff:fdd2", Refused, "2001::/32 Teredo" },
        { "2001:1::1", Refused, "2001:1::1/128 PCP anycast (globally reachable, refused with its /23)" },
        { "2001:2::1", Refused, "2001:2::/48 benchmarking" },
        { "2001:3::1", Refused, "2001:3::/32 AMT" },
        { "2001:4:112::1", Refused, "2001:4:112::/48 AS112-v6" },
        { "2001:10::1", Refused, "2001:10::/28 deprecated ORCHID" },
        { "2001:20::1", Refused, "2001:20::/28 ORCHIDv2" },
        { "2001:30::1", Refused, "2001:30::/28 drone remote ID" },
        { "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "2001::/23 IETF protocol assignments" },
        { "2001:200::", Allowed, "after 2001::/23" },
        { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", Allowed, "before 2001:db8::/32" },
        { "2001:db8::", Refused, "2001:db8::/32 documentation" },
        { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "2001:db8::/32 documentation" },
        { "2001:db9::", Allowed, "after 2001:db8::/32" },
        { "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Allowed, "before 2002::/16" },
        { "2002:808:808::1", Allowed, "2002::/16 6to4, judged as 8.8.8.8" },
        { "2002:7f00:1::1", Refused, "2002::/16 6to4, judged as 127.0.0.1" },
        { "2002:a00:1::", Refused, "2002::/16 6to4, judged as 10.0.0.1" },
        { "2002:a9fe:a9fe::", Refused, "2002::/16 6to4, judged as 169.254.169.254" },
        { "2002:c0a8:101:ffff:ffff:ffff:ffff:ffff", Refused, "2002::/16 6to4, judged as 192.168.1.1" },
        { "2003::", Allowed, "after 2002::/16" },
        { "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", Allowed, "before 2620:4f:8000::/48" },
        { "2620:4f:8000::", Refused, "2620:4f:8000::/48 direct delegation AS112" },
        { "2620:4f:8000:ffff:ffff:ffff:ffff:ffff", Refused, "2620:4f:8000::/48 direct delegation AS112" },
        { "2620:4f:8001::", Allowed, "after 2620:4f:8000::/48" },
        { "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Allowed, "before 3fff::/20" },
        { "3fff::", Refused, "3fff::/20 documentation" },
        { "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "3fff::/20 documentation" },
        { "3fff:1000::", Allowed, "after 3fff::/20" },
        { "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Allowed, "2000::/3 global unicast, last address" },
        { "4000::", Refused, "after 2000::/3 global unicast" },
        { "5f00::", Refused, "5f00::/16 SRv6 SIDs" },
        { "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "5f00::/16 SRv6 SIDs" },
        { "fc00::", Refused, "fc00::/7 unique local" },
        { "fd00:ec2::254", Refused, "fc00::/7 unique local (cloud metadata)" },
        { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "fc00::/7 unique local" },
        { "fe80::", Refused, "fe80::/10 link local" },
        { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "fe80::/10 link local" },
        { "fec0::", Refused, "fec0::/10 site local" },
        { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "fec0::/10 site local" },
        { "ff00::", Refused, "ff00::/8 multicast" },
        { "ff02::1", Refused, "ff00::/8 multicast" },
        { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Refused, "ff00::/8 multicast" },
        { "2606:4700:4700::1111", Allowed, "public" },
    };

    [Theory]
    [MemberData(nameof(DefaultVerdicts))]
    public void Every_special_purpose_block_is_refused_and_its_neighbours_are_not(string address, bool allowed, string block)
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions());

        var verdict = policy.IsAllowed(IPAddress.Parse(address));

        Assert.True(verdict == allowed, $"{address} ({block}) should be {(allowed ? "allowed" : "refused")}");
    }

    /// <summary>
    /// Microsoft's AntiSSRF library keeps a list of the blocks an external-only client must refuse. Everything on it is
    /// refused here too, except the two blocks that carry an IPv4 address, which are judged by it (tested above).
    /// </summary>
    [Fact]
    public void Every_block_of_the_maintained_anti_ssrf_list_is_refused_at_both_ends()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions());
        string[] judgedByTheirIPv4 = ["64:ff9b::/96", "2002::/16"];

        var allowedEnds = IPAddressRanges.recommendedLatest
            .Except(judgedByTheirIPv4)
            .Select(IPNetwork.Parse)
            .SelectMany(network => new[] { First(network), Last(network) })
            .Where(policy.IsAllowed)
            .ToList();

        Assert.NotEmpty(IPAddressRanges.recommendedLatest);
        Assert.Empty(allowedEnds);
    }

    [Fact]
    public void Allowing_loopback_opens_loopback_only()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowLoopback = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("::7f00:1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Allowing_private_networks_keeps_link_local_and_site_local_refused()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowPrivateNetworks = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("100.64.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fd12::1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("64:ff9b::a00:1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("fec0::1")));
    }

    [Fact]
    public void An_allowed_network_opens_exactly_that_block()
    {
        var policy = new OutboundAddressPolicy(new OutboundHttpOptions { AllowedNetworks = ["127.0.0.1/32", "169.254.10.0/24", "fec0::/64"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("169.254.10.7")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fec0::5")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("fec0:0:0:1::5")));
    }

    [Fact]
    public void An_invalid_allowed_network_is_rejected_at_construction()
    {
        var options = new OutboundHttpOptions { AllowedNetworks = ["not-a-network"] };

        Assert.Throws<ArgumentException>(() => new OutboundAddressPolicy(options));
    }

    private static IPAddress First(IPNetwork network) => network.BaseAddress;

    private static IPAddress Last(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var bits = bytes.Length * 8;
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) | ((BigInteger.One << (bits - network.PrefixLength)) - 1);
        var last = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        last.CopyTo(padded, padded.Length - last.Length);
        return new IPAddress(padded);
    }
}
