using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Messaging;

namespace ViaSocket.ClusterSecurity;

/// <summary>
/// The transport rule for cluster clients, whose gateways are only known once read from membership: a client without
/// TLS refuses gateways reachable off this machine (see <see cref="TransportSecurityPolicy"/>) instead of sending grain
/// calls and their answers, tokens included, across the network in clear text. At start-up the refusal stops the
/// client (the node does not start); later, a refused list is not taken and the error is logged by Orleans.
/// </summary>
public sealed partial class GatewayTransportGuard(IGatewayListProvider gateways, ClusterTlsOptions tls, bool allowInsecureTransport, ILogger<GatewayTransportGuard> logger)
    : IGatewayListProvider
{
    private int warned;

    public TimeSpan MaxStaleness => gateways.MaxStaleness;

    /// <summary>Still part of the interface, no longer read: Orleans treats every provider as updatable.</summary>
    [Obsolete("Not used by Orleans.")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => gateways.InitializeGatewayListProvider();

    public Task InitializeGatewayListProviderAsync(CancellationToken cancellationToken) => gateways.InitializeGatewayListProviderAsync(cancellationToken);

    public async Task<IList<Uri>> GetGateways() => Checked(await gateways.GetGateways().ConfigureAwait(false));

    public async Task<IList<Uri>> GetGatewaysAsync(CancellationToken cancellationToken) =>
        Checked(await gateways.GetGatewaysAsync(cancellationToken).ConfigureAwait(false));

    /// <exception cref="InvalidOperationException">A gateway is reachable off this machine and the client has no TLS.</exception>
    private IList<Uri> Checked(IList<Uri> found)
    {
        switch (TransportSecurityPolicy.Decide(found.Select(g => g.IdnHost), tls, allowInsecureTransport))
        {
            case TransportSecurityVerdict.Refused:
                throw new InvalidOperationException(
                    $"Gateways {string.Join(", ", found.Select(g => g.Authority))} are reachable off this machine and this client has no TLS. "
                    + TransportSecurityPolicy.RefusalMessage);
            case TransportSecurityVerdict.InsecureAllowed when Interlocked.Exchange(ref warned, 1) == 0:
                LogInsecureGateways(logger, TransportSecurityPolicy.InsecureWarning);
                break;
        }

        return found;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogInsecureGateways(ILogger logger, string warning);
}

/// <summary>Puts <see cref="GatewayTransportGuard"/> in front of the gateway list a client's clustering registered.</summary>
public static class GatewayTransportGuardExtensions
{
    /// <summary>Call after the clustering (<c>UseAdoNetClustering</c>, <c>UseStaticClustering</c>, ...): it wraps the provider that registered.</summary>
    public static IClientBuilder RequireSecureGateways(this IClientBuilder client, ClusterTlsOptions tls, bool allowInsecureTransport)
    {
        var registered = client.Services.LastOrDefault(d => d.ServiceType == typeof(IGatewayListProvider) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Configure the client's clustering before RequireSecureGateways.");
        client.Services.Remove(registered);
        client.Services.AddSingleton<IGatewayListProvider>(services => new GatewayTransportGuard(
            Create(services, registered), tls, allowInsecureTransport, services.GetRequiredService<ILogger<GatewayTransportGuard>>()));
        return client;
    }

    private static IGatewayListProvider Create(IServiceProvider services, ServiceDescriptor registered) =>
        (IGatewayListProvider)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, registered.ImplementationType!));
}
