using System.Diagnostics;

namespace ViaSocket.Grains.Diagnostics;

/// <summary>
/// The service's spans (activity source <see cref="SourceName"/>): the OAuth callback, block runs, refreshes and
/// proxied requests. Attributes name tenants, connections and outcomes only: never a URL with its query, a token, a
/// code or a secret.
/// </summary>
public static class ViaSocketActivities
{
    public const string SourceName = "ViaSocket";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Span names.</summary>
    public static class Names
    {
        public const string Callback = "oauth.callback";
        public const string BlockRun = "block.run";
        public const string Refresh = "connection.refresh";
        public const string Proxy = "connection.proxy";
    }

    /// <summary>Attribute names.</summary>
    public static class Attributes
    {
        public const string WorkspaceId = "viasocket.workspace.id";
        public const string ConnectionId = "viasocket.connection.id";
        public const string PluginId = "viasocket.plugin.id";
        public const string VersionId = "viasocket.version.id";
        public const string BlockKind = "viasocket.block.kind";
        public const string Trigger = "viasocket.refresh.trigger";
        public const string Outcome = "viasocket.outcome";
        public const string ConnectionStatus = "viasocket.connection.status";
        public const string ProviderStatus = "viasocket.provider.status_code";
    }

    /// <summary>Starts a span about one connection (null when nobody listens).</summary>
    public static Activity? StartConnectionActivity(string name, string workspaceId, string connectionId, string? pluginId = null, string? versionId = null)
    {
        var activity = Source.StartActivity(name);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.WorkspaceId, workspaceId);
            activity.SetTag(Attributes.ConnectionId, connectionId);
            activity.SetTag(Attributes.PluginId, pluginId);
            activity.SetTag(Attributes.VersionId, versionId);
        }

        return activity;
    }

    /// <summary>Records the outcome (an error code, or <c>ok</c>) on the span; a failure also sets the span's status.</summary>
    public static void SetOutcome(this Activity? activity, string? errorCode, int? providerStatus = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Attributes.Outcome, errorCode ?? ViaSocketMetrics.Outcomes.Ok);
        activity.SetTag(Attributes.ProviderStatus, providerStatus);
        if (errorCode is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, errorCode);
        }
    }
}
