using System.Net;
using System.Net.Sockets;

namespace ViaSocket.Blocks.Http;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the guarded client: resolves the host, checks every
/// address it resolved to and connects to exactly those checked addresses, so neither DNS rebinding nor a
/// hostname pointing inside the network can slip past the policy.
/// </summary>
internal sealed class GuardedConnector(OutboundAddressPolicy policy)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var host = endpoint.Host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);

        if (addresses.Length == 0 || !addresses.All(policy.IsAllowed))
        {
            throw new OutboundAddressRefusedException(host);
        }

        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                lastError = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError!;
    }
}

/// <summary>The guard refused every address a host resolved to (or one of them).</summary>
public sealed class OutboundAddressRefusedException(string host)
    : Exception($"Outbound requests to '{host}' are not allowed: it resolves to a loopback, private, link-local or reserved address.")
{
    public string Host { get; } = host;
}
