namespace ViaSocket.Server.Observability;

/// <summary>The <c>ViaSocket:Observability</c> section: where metrics are exposed.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>Serves the Prometheus scrape endpoint <c>/metrics</c> (unauthenticated). The default value is true.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>
    /// When set, <c>/metrics</c> answers only on connections to this local port (add a URL with it to <c>Urls</c>), so
    /// the public listener never serves it. The default value is none: every listener serves it.
    /// </summary>
    public int? PrometheusPort { get; set; }
}

/// <summary>The <c>ViaSocket:Dashboard</c> section: the Orleans Dashboard.</summary>
public sealed class DashboardSettings
{
    public const string SectionName = "Dashboard";

    /// <summary>The route the dashboard is served under.</summary>
    public const string Path = "/dashboard";

    /// <summary>
    /// Serves the Orleans Dashboard under <see cref="Path"/> to API keys with the <c>operator</c> scope. Enable it on
    /// every silo (and on a front-end that serves it). The default value is false.
    /// </summary>
    public bool Enabled { get; set; }
}
