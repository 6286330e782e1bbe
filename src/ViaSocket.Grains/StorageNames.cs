namespace ViaSocket.Grains;

/// <summary>Grain storage provider and state names. Each grain type has its own state name, so rows never collide.</summary>
public static class StorageNames
{
    public const string Default = "viasocket";

    public const string AuthVersionState = "authVersion";
    public const string PluginState = "plugin";
    public const string ConnectionState = "connection";
    public const string PendingAuthorizationState = "pendingAuthorization";
    public const string ApiKeyState = "apiKey";
    public const string WorkspaceWebhooksState = "workspaceWebhooks";
    public const string WebhookDeliveryState = "webhookDelivery";
    public const string WorkspaceSettingsState = "workspaceSettings";
    public const string UiSessionState = "uiSession";
    public const string WorkspaceOAuthClientsState = "workspaceOAuthClients";
}
