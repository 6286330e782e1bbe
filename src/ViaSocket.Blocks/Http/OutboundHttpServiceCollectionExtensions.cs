using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Http;

namespace Microsoft.Extensions.DependencyInjection;

public static class OutboundHttpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OutboundHttpClient"/> and its named HttpClient: a <see cref="SocketsHttpHandler"/> with
    /// no redirects, no proxy, a connect-time address guard and a bounded connection lifetime. Safe to call more
    /// than once; every <paramref name="configure"/> is applied.
    /// </summary>
    public static IServiceCollection AddGuardedOutboundHttp(this IServiceCollection services, Action<OutboundHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(descriptor => descriptor.ServiceType == typeof(OutboundHttpClient)))
        {
            return services;
        }

        services.AddOptions<OutboundHttpOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OutboundHttpClient>();
        services.AddHttpClient(OutboundHttpClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<OutboundHttpOptions>>().Value;
                var connector = new GuardedConnector(new OutboundAddressPolicy(options));
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    // A proxy would be connected to instead of the checked address, bypassing the guard.
                    UseProxy = false,
                    UseCookies = false,
                    AutomaticDecompression = DecompressionMethods.All,
                    PooledConnectionLifetime = options.PooledConnectionLifetime,
                    ConnectCallback = connector.ConnectAsync,
                };
            })
            // OutboundHttpClient enforces the timeout itself, per request.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            // The default loggers write request URLs; token endpoints carry codes and secrets in them.
            .RemoveAllLoggers();
        return services;
    }
}
