using System.ComponentModel.DataAnnotations;

namespace ViaSocket.Server;

/// <summary>The <c>ViaSocket</c> configuration section (environment variables <c>VIASOCKET__...</c>).</summary>
public sealed class ServerOptions
{
    public const string SectionName = "ViaSocket";

    /// <summary>
    /// <c>silo</c> runs the silo and the front-end in one process; <c>frontend</c> runs the front-end only, as an
    /// Orleans client of the cluster. The default value is <c>silo</c>.
    /// </summary>
    [Required]
    [RegularExpression("^(silo|frontend)$")]
    public string Role { get; set; } = ServerRoles.Silo;

    /// <summary>The externally visible base URL of the front-end; the OAuth redirect URI is this + <c>/oauth/callback</c>.</summary>
    [Required]
    [Url]
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>
    /// The folder for this node's local state: the embedded PostgreSQL, generated master keys and bootstrap key, pgpass
    /// files. The default value is <c>/var/lib/viasocket-orleans</c> as root, else <c>$XDG_STATE_HOME/viasocket-orleans</c>
    /// (<c>~/.local/state/viasocket-orleans</c> when <c>XDG_STATE_HOME</c> is unset).
    /// </summary>
    public string? DataDirectory { get; set; }

    public DatabaseOptions Database { get; set; } = new();

    public ClusterSettings Cluster { get; set; } = new();

    public Uri RedirectUri => new(new Uri(PublicBaseUrl.TrimEnd('/') + "/"), "oauth/callback");

    /// <summary>The section as bound from configuration, for the start-up code that runs before the container exists.</summary>
    public static ServerOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ServerOptions>() ?? new ServerOptions();
}

public static class ServerRoles
{
    public const string Silo = "silo";
    public const string FrontEnd = "frontend";
}

public sealed class DatabaseOptions
{
    /// <summary>
    /// An Npgsql connection string. When empty, the service starts an embedded local PostgreSQL. The default value
    /// is empty.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the embedded PostgreSQL keeps its data. The default value is <c>postgres/</c> in <see cref="ServerOptions.DataDirectory"/>.</summary>
    public string? EmbeddedDataDirectory { get; set; }
}

public sealed class ClusterSettings
{
    /// <summary>
    /// How long an API request keeps retrying grain calls that fail because a silo is unreachable (a killed silo is
    /// declared dead within seconds), before answering 503 <c>cluster.unavailable</c>. The default value is 10 seconds.
    /// </summary>
    public TimeSpan GrainCallRetryBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a silo waits for a peer's answer to a liveness probe. A peer that misses
    /// <see cref="MissedProbesLimit"/> probes in a row is declared dead and its grains move to the survivors. The
    /// default value is 2 seconds (Orleans' own is 5), so a killed silo is detected in about 6 seconds.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The default value is 3.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>The default value is <c>viasocket</c>.</summary>
    public string ClusterId { get; set; } = "viasocket";

    /// <summary>Identifies the service's data across deployments. The default value is <c>viasocket-orleans</c>.</summary>
    public string ServiceId { get; set; } = "viasocket-orleans";

    /// <summary>The default value is 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>The default value is 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at: an IP address or a host name to resolve. The default value is 127.0.0.1.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The local address the silo and gateway ports are bound to: an IP address, a host name to resolve, or
    /// <c>0.0.0.0</c> for every interface (containers). The default value is empty: the <see cref="AdvertisedAddress"/>.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>
    /// Lets a node whose listen or advertised address is not loopback start without TLS (a lab), with a warning at every
    /// start. The default value is false: such a node refuses to start.
    /// </summary>
    public bool AllowInsecureTransport { get; set; }

    /// <summary>Mutual TLS of the silo, gateway and client connections. The default value is none (no TLS).</summary>
    public ViaSocket.ClusterSecurity.ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>The address the ports are bound to: <see cref="ListenAddress"/>, else <see cref="AdvertisedAddress"/>.</summary>
    public string EffectiveListenAddress => string.IsNullOrWhiteSpace(ListenAddress) ? AdvertisedAddress : ListenAddress;
}
