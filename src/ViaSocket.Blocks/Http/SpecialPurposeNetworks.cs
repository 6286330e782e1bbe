using System.Net;

namespace ViaSocket.Blocks.Http;

/// <summary>
/// The address blocks the outbound guard judges, from the IANA IPv4 and IPv6 Special-Purpose Address Registries
/// (RFC 6890 and the RFCs that added rows since) plus the blocks those registries leave to other documents
/// (multicast, IPv4-compatible and site-local IPv6), and Azure's WireServer. Every row of both registries is refused, the globally
/// reachable anycast and AS112 rows included: no OAuth provider is reached through them. The two rows that carry
/// an IPv4 address (NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by that address instead.
/// </summary>
internal static class SpecialPurposeNetworks
{
    /// <summary>Opened by <see cref="OutboundHttpOptions.AllowLoopback"/>.</summary>
    public static IReadOnlyList<IPNetwork> Loopback { get; } = Parse(
        "127.0.0.0/8",          // RFC 1122
        "::1/128");             // RFC 4291

    /// <summary>Opened by <see cref="OutboundHttpOptions.AllowPrivateNetworks"/>.</summary>
    public static IReadOnlyList<IPNetwork> Private { get; } = Parse(
        "10.0.0.0/8",           // RFC 1918
        "172.16.0.0/12",        // RFC 1918
        "192.168.0.0/16",       // RFC 1918
        "100.64.0.0/10",        // RFC 6598 shared address space (carrier-grade NAT)
        "fc00::/7");            // RFC 4193 unique local

    /// <summary>
    /// Refused unless <see cref="OutboundHttpOptions.AllowedNetworks"/> lists them. The IPv6 rows outside
    /// <see cref="GlobalUnicast"/> need no entry, all of that space is refused: <c>::/96</c> (IPv4-compatible,
    /// deprecated; <c>::</c> unspecified), <c>::ffff:0:0:0/96</c> (IPv4-translated), <c>64:ff9b:1::/48</c> (RFC 8215
    /// local-use translation), <c>100::/64</c> (RFC 6666 discard only), <c>100:0:0:1::/64</c> (dummy prefix),
    /// <c>5f00::/16</c> (RFC 9602 SRv6 SIDs), <c>fe80::/10</c> (link local), <c>fec0::/10</c> (RFC 3879 site local,
    /// deprecated) and <c>ff00::/8</c> (multicast).
    /// </summary>
    public static IReadOnlyList<IPNetwork> Refused { get; } = Parse(
        "0.0.0.0/8",            // RFC 791 "this network"
        "168.63.129.16/32",     // not in the registry: Azure's WireServer, a public address every Azure VM reaches its host at
        "169.254.0.0/16",       // RFC 3927 link local: cloud metadata lives at 169.254.169.254
        "192.0.0.0/24",         // RFC 6890 IETF protocol assignments, every row inside it included
        "192.0.2.0/24",         // RFC 5737 TEST-NET-1
        "192.31.196.0/24",      // RFC 7535 AS112-v4
        "192.52.193.0/24",      // RFC 7450 AMT
        "192.88.99.0/24",       // RFC 7526 deprecated 6to4 relay anycast
        "192.175.48.0/24",      // RFC 7534 direct delegation AS112
        "198.18.0.0/15",        // RFC 2544 benchmarking
        "198.51.100.0/24",      // RFC 5737 TEST-NET-2
        "203.0.113.0/24",       // RFC 5737 TEST-NET-3
        "224.0.0.0/4",          // RFC 5771 multicast
        "240.0.0.0/4",          // RFC 1112 reserved, 255.255.255.255 (RFC 919 limited broadcast) included
        "2001::/23",            // RFC 2928 IETF protocol assignments: Teredo (tunnels to any IPv4 address), benchmarking, ORCHID, anycast rows
        "2001:db8::/32",        // RFC 3849 documentation
        "2620:4f:8000::/48",    // RFC 7534 direct delegation AS112
        "3fff::/20");           // RFC 9637 documentation

    /// <summary>RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address reached.</summary>
    public static IPNetwork Nat64 { get; } = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>RFC 3056 6to4: bits 16-47 are the IPv4 address of the tunnel end.</summary>
    public static IPNetwork SixToFour { get; } = IPNetwork.Parse("2002::/16");

    /// <summary>RFC 4291 global unicast: the only IPv6 space allocated for the Internet; everything else is refused.</summary>
    public static IPNetwork GlobalUnicast { get; } = IPNetwork.Parse("2000::/3");

    private static IPNetwork[] Parse(params string[] blocks) => [.. blocks.Select(block => IPNetwork.Parse(block))];
}
