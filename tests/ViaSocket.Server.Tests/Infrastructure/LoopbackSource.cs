using System.Net;
using System.Net.Sockets;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>
/// HTTP connections made from a chosen loopback address (all of 127.0.0.0/8 is local on Linux), so a test can be
/// several client IPs against one service.
/// </summary>
public static class LoopbackSource
{
    public static SocketsHttpHandler Handler(IPAddress source) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
