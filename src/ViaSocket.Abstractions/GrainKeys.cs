namespace ViaSocket;

/// <summary>
/// Builds grain keys. Every key starts with the workspace id, so an object of one workspace can never be
/// addressed through another's key.
/// </summary>
public static class GrainKeys
{
    private const char Separator = '/';

    public static string AuthVersion(string workspaceId, string pluginId, string versionId) =>
        string.Join(Separator, workspaceId, pluginId, versionId);

    public static string Plugin(string workspaceId, string pluginId) => string.Join(Separator, workspaceId, pluginId);

    public static string Connection(string workspaceId, string connectionId) => string.Join(Separator, workspaceId, connectionId);

    /// <summary>Splits a key made by one of the builders above; parts never contain the separator (ids are validated).</summary>
    public static string[] Split(string key) => key.Split(Separator);
}
