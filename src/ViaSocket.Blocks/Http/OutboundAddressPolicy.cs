using System.Net;
using System.Net.Sockets;

namespace ViaSocket.Blocks.Http;

/// <summary>
/// Decides whether an address may be connected to: public addresses yes; loopback, private, link-local,
/// metadata, multicast and reserved ranges only when the operator opened them.
/// </summary>
public sealed class OutboundAddressPolicy
{
    private static readonly IPNetwork[] LoopbackNetworks =
    [
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("::1/128"),
    ];

    private static readonly IPNetwork[] PrivateNetworks =
    [
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("fc00::/7"),
    ];

    // Never reachable unless listed in AllowedNetworks: "this network", link-local (cloud metadata lives at
    // 169.254.169.254), IETF protocol assignments, benchmarking, multicast, reserved and broadcast, and the IPv6
    // equivalents plus Teredo (it tunnels to arbitrary IPv4 addresses).
    private static readonly IPNetwork[] AlwaysRefusedNetworks =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
        IPNetwork.Parse("2001::/32"),
    ];

    private static readonly IPNetwork Nat64Network = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFourNetwork = IPNetwork.Parse("2002::/16");

    private readonly bool _allowLoopback;
    private readonly bool _allowPrivateNetworks;
    private readonly IPNetwork[] _allowedNetworks;

    public OutboundAddressPolicy(OutboundHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowLoopback = options.AllowLoopback;
        _allowPrivateNetworks = options.AllowPrivateNetworks;
        _allowedNetworks = [.. options.AllowedNetworks.Select(ParseNetwork)];
    }

    /// <summary>True when a connection to <paramref name="address"/> is allowed.</summary>
    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var normalized = Normalize(address);
        if (_allowedNetworks.Any(network => network.Contains(normalized)))
        {
            return true;
        }

        if (EmbeddedIPv4(normalized) is { } embedded)
        {
            // NAT64 and 6to4 addresses reach the IPv4 address they carry: judge that one.
            return IsAllowed(embedded);
        }

        if (LoopbackNetworks.Any(network => network.Contains(normalized)))
        {
            return _allowLoopback;
        }

        if (PrivateNetworks.Any(network => network.Contains(normalized)))
        {
            return _allowPrivateNetworks;
        }

        return !AlwaysRefusedNetworks.Any(network => network.Contains(normalized));
    }

    private static IPAddress Normalize(IPAddress address)
    {
        var withoutScope = address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
        return withoutScope.IsIPv4MappedToIPv6 ? withoutScope.MapToIPv4() : withoutScope;
    }

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64Network.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return SixToFourNetwork.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }

    private static IPNetwork ParseNetwork(string cidr)
    {
        if (IPNetwork.TryParse(cidr, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(cidr, out var single))
        {
            return new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new ArgumentException($"'{cidr}' is not a CIDR block (e.g. 10.0.0.0/8).", nameof(cidr));
    }
}
