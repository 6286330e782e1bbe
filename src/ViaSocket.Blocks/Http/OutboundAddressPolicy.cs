using System.Net;
using System.Net.Sockets;

namespace ViaSocket.Blocks.Http;

/// <summary>
/// Decides whether an address may be connected to: public addresses yes; loopback and private ranges only when the
/// operator opened them; every other special-purpose block (<see cref="SpecialPurposeNetworks"/>) and all IPv6
/// space outside global unicast only when <see cref="OutboundHttpOptions.AllowedNetworks"/> lists it.
/// </summary>
public sealed class OutboundAddressPolicy
{
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

        if (SpecialPurposeNetworks.Loopback.Any(network => network.Contains(normalized)))
        {
            return _allowLoopback;
        }

        if (SpecialPurposeNetworks.Private.Any(network => network.Contains(normalized)))
        {
            return _allowPrivateNetworks;
        }

        if (normalized.AddressFamily == AddressFamily.InterNetworkV6 && !SpecialPurposeNetworks.GlobalUnicast.Contains(normalized))
        {
            // Unallocated and future special-purpose IPv6 space is refused until it is known to be public.
            return false;
        }

        return !SpecialPurposeNetworks.Refused.Any(network => network.Contains(normalized));
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
        if (SpecialPurposeNetworks.Nat64.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return SpecialPurposeNetworks.SixToFour.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4)) : null;
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
