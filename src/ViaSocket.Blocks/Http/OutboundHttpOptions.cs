namespace ViaSocket.Blocks.Http;

/// <summary>Policy of the guarded outbound HTTP client used by blocks and the connection proxy.</summary>
public sealed class OutboundHttpOptions
{
    /// <summary>How long one request may take, headers and body included.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest response body accepted; a larger one fails the request.</summary>
    /// <value>The default value is 5 MiB.</value>
    public long MaxResponseBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Whether loopback addresses (127.0.0.0/8, ::1) may be reached.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowLoopback { get; set; }

    /// <summary>Whether private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) may be reached.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// CIDR blocks the operator opens explicitly (e.g. <c>127.0.0.1/32</c>, <c>10.1.0.0/16</c>); they win over
    /// every built-in refusal, link-local and metadata ranges included.
    /// </summary>
    public IReadOnlyList<string> AllowedNetworks { get; set; } = [];

    /// <summary>How long a pooled connection lives, so DNS changes are seen.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(2);
}
