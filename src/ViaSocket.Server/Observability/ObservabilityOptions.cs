namespace ViaSocket.Server.Observability;

/// <summary>The <c>ViaSocket:Observability</c> section: where metrics are exposed.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>
    /// Serves the Prometheus scrape endpoint <c>/metrics</c>: on <see cref="PrometheusPort"/> when set, otherwise on
    /// the API listener to API keys with the <c>operator</c> scope only. The default value is true.
    /// </summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>
    /// When set, <c>/metrics</c> answers without a key, only on connections to this local port (add a URL with it to
    /// <c>Urls</c>, e.g. <c>http://127.0.0.1:9464</c>, a management address), and never on the API listener. The
    /// default value is none: <c>/metrics</c> is on the API listener and needs an operator key
    /// (<c>Authorization: Bearer vso_...</c>).
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
