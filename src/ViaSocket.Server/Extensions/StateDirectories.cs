namespace ViaSocket.Server.Extensions;

/// <summary>The per-user folder where the service keeps local state (pgpass files, the embedded database).</summary>
internal static class StateDirectories
{
    public static string ForService()
    {
        var root = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        var directory = Path.Combine(root, "viasocket-orleans");
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }
}
