using System.ComponentModel.DataAnnotations;

namespace ViaSocket.Grains.Connections;

/// <summary>The <c>ViaSocket:Connections</c> configuration section.</summary>
public sealed class ConnectionLifetimeOptions
{
    public const string SectionPath = "ViaSocket:Connections";

    /// <summary>
    /// How long a pending connection (an authorization that was denied, failed or never came back) is kept after its
    /// last attempt ended or lapsed; then it is deleted. A reconnect with its id before then reuses it. The default
    /// value is 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromHours(1);
}
