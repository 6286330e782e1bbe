using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ViaSocket.Server.Security;

/// <summary>
/// The <c>ViaSocket:ForwardedHeaders</c> section: the reverse proxies whose <c>X-Forwarded-For</c>,
/// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> are believed. From any other peer they are ignored, so a client
/// cannot pick the address the per-IP limits count it under.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>IP addresses of the reverse proxies in front of the service. The default value is none.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) the reverse proxies are in. The default value is none: with neither
    /// this nor <see cref="KnownProxies"/>, forwarded headers are ignored.
    /// </summary>
    public IList<string> KnownNetworks { get; } = [];
}

internal static class TrustedProxies
{
    private const ForwardedHeaders Honoured = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;

    /// <summary>
    /// Configures forwarded headers from <see cref="ForwardedHeadersSettings"/>. Also applies when the framework adds the
    /// middleware itself (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>), which would otherwise believe every peer.
    /// </summary>
    /// <exception cref="InvalidOperationException">An entry is not an IP address or CIDR network.</exception>
    public static void AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var settings = Read(builder.Configuration);
        var proxies = settings.KnownProxies.Select((entry, i) => IPAddress.TryParse(entry, out var address)
            ? address
            : throw new InvalidOperationException($"{ServerOptions.SectionName}:{ForwardedHeadersSettings.SectionName}:KnownProxies:{i} is not an IP address.")).ToList();
        var networks = settings.KnownNetworks.Select((entry, i) => System.Net.IPNetwork.TryParse(entry, out var network)
            ? network
            : throw new InvalidOperationException($"{ServerOptions.SectionName}:{ForwardedHeadersSettings.SectionName}:KnownNetworks:{i} is not a CIDR network such as 10.0.0.0/8.")).ToList();
        builder.Services.PostConfigure<ForwardedHeadersOptions>(o =>
        {
            // The framework's defaults believe loopback, and empty lists believe everyone: both are replaced, and with
            // nothing configured nothing is forwarded.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
            o.ForwardedHeaders = proxies.Count + networks.Count == 0 ? ForwardedHeaders.None : Honoured;
        });
    }

    /// <summary>Rewrites the client address, scheme and host from the forwarded headers of configured proxies only.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        var settings = Read(app.Configuration);
        if (settings.KnownProxies.Count + settings.KnownNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }
    }

    private static ForwardedHeadersSettings Read(IConfiguration configuration) =>
        configuration.GetSection($"{ServerOptions.SectionName}:{ForwardedHeadersSettings.SectionName}").Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
}
