namespace ViaSocket.Server.Extensions;

/// <summary>
/// The one folder a node keeps its local state in (<c>ViaSocket:DataDirectory</c>): the embedded PostgreSQL
/// (<c>postgres/</c>), the generated master keys (<c>master-keys/</c>), the generated bootstrap API key
/// (<c>bootstrap-api-key</c>) and the pgpass files made from configured passwords. A backup is: stop the node, copy
/// the folder. Settings that name one of these places themselves still win.
/// </summary>
internal sealed partial class DataDirectory(string path)
{
    /// <summary>Root's default: the <c>postgres</c> account that runs the embedded database as root cannot reach root's home.</summary>
    public const string SystemDefault = "/var/lib/viasocket-orleans";

    private const string FolderName = "viasocket-orleans";

    public string Path { get; } = path;

    public string Postgres => System.IO.Path.Combine(Path, "postgres");

    public string MasterKeys => System.IO.Path.Combine(Path, "master-keys");

    public string BootstrapKeyFile => System.IO.Path.Combine(Path, "bootstrap-api-key");

    /// <summary>The configured folder, or the default: <see cref="SystemDefault"/> as root, else the user's state folder.</summary>
    public static DataDirectory From(IConfiguration configuration) =>
        ServerOptions.From(configuration).DataDirectory is { Length: > 0 } configured
            ? new(System.IO.Path.GetFullPath(configured))
            : new(Environment.IsPrivilegedProcess ? SystemDefault : UserStateFolder());

    /// <summary>
    /// Creates the folder: owner-only, except that as root others may pass through it (not list it) to reach the
    /// <c>postgres/</c> folder the database account owns; the keys inside stay owner-only either way.
    /// </summary>
    public DataDirectory Create()
    {
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(Path, ownerOnly);
        if (Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(Path, ownerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return this;
    }

    /// <summary>
    /// Releases before this folder kept root's master keys and bootstrap key under root's home, not next to its
    /// database: as root with the default folder, those move here once, so an upgrade keeps reading its data.
    /// </summary>
    public void AdoptEarlierRootState(IConfiguration configuration, ILogger logger)
    {
        if (Environment.IsPrivilegedProcess && Path == SystemDefault && ServerOptions.From(configuration).DataDirectory is not { Length: > 0 })
        {
            AdoptEarlierState(UserStateFolder(), logger);
        }
    }

    /// <summary>Moves the master keys and bootstrap key file from <paramref name="earlier"/> here, each only if this folder has none.</summary>
    public void AdoptEarlierState(string earlier, ILogger logger)
    {
        if (System.IO.Path.GetFullPath(earlier) == Path)
        {
            return;
        }

        var keys = System.IO.Path.Combine(earlier, "master-keys");
        if (Directory.Exists(keys) && !Directory.Exists(MasterKeys))
        {
            Move(keys, MasterKeys, Directory.Move);
            LogMoved(logger, keys, MasterKeys);
        }

        var bootstrapKey = System.IO.Path.Combine(earlier, "bootstrap-api-key");
        if (File.Exists(bootstrapKey) && !File.Exists(BootstrapKeyFile))
        {
            Move(bootstrapKey, BootstrapKeyFile, (from, to) => File.Move(from, to));
            LogMoved(logger, bootstrapKey, BootstrapKeyFile);
        }
    }

    private static void Move(string from, string to, Action<string, string> move)
    {
        try
        {
            move(from, to);
        }
        catch (IOException error)
        {
            throw new InvalidOperationException($"Could not move {from} to {to} ({error.Message}); move it there by hand, or set ViaSocket:DataDirectory.", error);
        }
    }

    private static string UserStateFolder()
    {
        var stateHome = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(stateHome))
        {
            stateHome = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return System.IO.Path.Combine(stateHome, FolderName);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moved {From} into the data directory, to {To}")]
    private static partial void LogMoved(ILogger logger, string from, string to);
}
