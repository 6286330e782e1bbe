using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ViaSocket.Persistence.Embedded;

/// <summary>
/// A PostgreSQL server this process initialises, starts and stops, listening on 127.0.0.1 only. The service uses
/// it when no connection string is configured; tests use a throwaway one. Starting again on the same
/// <see cref="EmbeddedPostgresOptions.DataDirectory"/> reuses the data.
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const string MaintenanceDatabase = "postgres";
    private const string ClusterFolderName = "data";
    private const string PasswordFileName = "superuser-password";
    private const string PortFileName = "port";
    private const string LogFileName = "server.log";
    private const string SettingsFileName = "viasocket.conf";
    private const int StartAttempts = 3;

    private readonly PostgresBinaries binaries;
    private readonly OsCommand commands;
    private readonly ILogger logger;
    private readonly string maintenanceConnectionString;
    private readonly EventHandler processExitHandler;
    private readonly bool deleteDataDirectoryOnStop;
    private int stopped;

    private EmbeddedPostgres(
        PostgresBinaries binaries, OsCommand commands, ILogger logger, string dataDirectory, int port, string maintenanceConnectionString,
        bool deleteDataDirectoryOnStop)
    {
        this.deleteDataDirectoryOnStop = deleteDataDirectoryOnStop;
        this.binaries = binaries;
        this.commands = commands;
        this.logger = logger;
        this.maintenanceConnectionString = maintenanceConnectionString;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = maintenanceConnectionString;
        // The child server must not outlive this process when the host shuts down without disposing us.
        processExitHandler = (_, _) => StopOnProcessExit();
        AppDomain.CurrentDomain.ProcessExit += processExitHandler;
    }

    /// <summary>The instance folder (see <see cref="EmbeddedPostgresOptions.DataDirectory"/>).</summary>
    public string DataDirectory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>
    /// Connection string to <see cref="EmbeddedPostgresOptions.DatabaseName"/> (or <c>postgres</c>). It carries no
    /// password: Npgsql reads it from the pgpass file named by <c>Passfile=</c>.
    /// </summary>
    public string ConnectionString { get; private set; }

    /// <summary>The PostgreSQL cluster folder (PGDATA).</summary>
    internal string ClusterDirectory => Path.Combine(DataDirectory, ClusterFolderName);

    /// <summary>Initialises the cluster on first use, starts the server (or adopts one left running from this folder) and creates the database.</summary>
    /// <exception cref="FileNotFoundException">The PostgreSQL server programs are not installed.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL runs on Linux and macOS; configure a connection string on Windows.");
        }

        var stopwatch = Stopwatch.StartNew();
        var binaries = PostgresBinaries.Locate();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var serviceUser = Environment.IsPrivilegedProcess ? options.ServiceUser : null;
        await PrepareInstanceFolderAsync(dataDirectory, serviceUser, ct);

        var commands = new OsCommand(dataDirectory, serviceUser);
        var clusterDirectory = Path.Combine(dataDirectory, ClusterFolderName);
        var initialized = await InitializeClusterIfMissingAsync(binaries, commands, dataDirectory, clusterDirectory, options, ct);

        var status = await commands.RunAsync(binaries.PgCtl, ["status", "-D", clusterDirectory], ct);
        int port;
        // pg_ctl only asks whether the pid exists; a killed server whose parent never collected it is a zombie and
        // counts as running for pg_ctl, but pg_ctl start copes with it.
        if (status.Succeeded && PostmasterProcess.FromPidFile(clusterDirectory)?.IsAlive() == true)
        {
            // A previous process was killed before it could stop its server; carry on with that server.
            port = ReadPortFromPidFile(clusterDirectory);
            logger.EmbeddedAdopted(dataDirectory, port);
        }
        else
        {
            await PostmasterProcess.RemoveStalePidFileAsync(clusterDirectory, TimeSpan.FromSeconds(10), ct);
            port = await StartServerAsync(binaries, commands, dataDirectory, clusterDirectory, options, logger, ct);
        }

        var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, PasswordFileName), ct)).Trim();
        var withPassword = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            Username = Superuser,
            Password = password,
            Database = MaintenanceDatabase,
        };
        var maintenance = PostgresConnectionStrings.WithoutPassword(withPassword.ConnectionString, dataDirectory);

        var server = new EmbeddedPostgres(binaries, commands, logger, dataDirectory, port, maintenance, options.DeleteDataDirectoryOnStop);
        try
        {
            if (options.DatabaseName is not null)
            {
                server.ConnectionString = await server.CreateDatabaseAsync(options.DatabaseName, ct);
            }
        }
        catch
        {
            await server.StopAsync(CancellationToken.None);
            throw;
        }

        logger.EmbeddedStarted(stopwatch.ElapsedMilliseconds, dataDirectory, port, initialized);
        return server;
    }

    /// <summary>Creates the database if it does not exist and returns a (password-free) connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct)
    {
        if (!DatabaseNamePattern().IsMatch(name))
        {
            throw new ArgumentException("A database name is 1-63 lower-case letters, digits or underscores, starting with a letter or underscore.", nameof(name));
        }

        await using var connection = new NpgsqlConnection(maintenanceConnectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                try
                {
                    // The name is validated above; CREATE DATABASE takes no parameters.
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
                catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase)
                {
                    // Created concurrently by another caller: same outcome.
                }
            }
        }

        return new NpgsqlConnectionStringBuilder(maintenanceConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>) and waits until it is gone. Safe to call more than once.</summary>
    /// <remarks>pg_ctl runs as its own process, so the server still stops if this process is killed meanwhile.</remarks>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= processExitHandler;
        // Pooled connections to this server are about to break; drop them instead of handing them out later.
        NpgsqlConnection.ClearAllPools();
        var postmaster = PostmasterProcess.FromPidFile(ClusterDirectory);
        // A throwaway instance skips the shutdown checkpoint: test hosts get little time at exit.
        var mode = deleteDataDirectoryOnStop ? "immediate" : "fast";
        var stop = await commands.RunAsync(binaries.PgCtl, ["stop", "-D", ClusterDirectory, "-m", mode, "-w", "-t", "60"], ct);
        if (!stop.Succeeded)
        {
            var status = await commands.RunAsync(binaries.PgCtl, ["status", "-D", ClusterDirectory], ct);
            if (status.Succeeded)
            {
                throw new InvalidOperationException($"Embedded PostgreSQL in {DataDirectory} did not stop: {stop.Output}");
            }
        }

        // pg_ctl returns once the pid file is gone, a moment before the postmaster process itself exits.
        if (postmaster is not null && !await postmaster.WaitForExitAsync(TimeSpan.FromSeconds(30), ct))
        {
            throw new InvalidOperationException($"Embedded PostgreSQL in {DataDirectory} (pid {postmaster.Pid}) is still running after pg_ctl stop.");
        }

        if (deleteDataDirectoryOnStop)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        logger.EmbeddedStopped(DataDirectory);
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private void StopOnProcessExit()
    {
        try
        {
            StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            logger.EmbeddedStopFailed(exception, DataDirectory);
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task PrepareInstanceFolderAsync(string dataDirectory, string? serviceUser, CancellationToken ct)
    {
        if (serviceUser is null)
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        var user = await OsCommand.RunAsCurrentUserAsync("id", ["-u", serviceUser], ct);
        if (!user.Succeeded)
        {
            throw new InvalidOperationException(
                $"This process runs as root, and PostgreSQL refuses to; it must run as the OS user '{serviceUser}', which does not exist. " +
                "Install the server with `sudo apt-get install -y postgresql` (it creates the 'postgres' user) or run as a normal user.");
        }

        // The folder (not its parents) belongs to the server's user, mode 0700 as PostgreSQL requires.
        var install = await OsCommand.RunAsCurrentUserAsync("install", ["-d", "-o", serviceUser, "-m", "0700", dataDirectory], ct);
        if (!install.Succeeded)
        {
            throw new InvalidOperationException($"Could not prepare {dataDirectory} for user '{serviceUser}': {install.Output}");
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task<bool> InitializeClusterIfMissingAsync(
        PostgresBinaries binaries, OsCommand commands, string dataDirectory, string clusterDirectory,
        EmbeddedPostgresOptions options, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(clusterDirectory, "PG_VERSION")))
        {
            return false;
        }

        if (Directory.Exists(clusterDirectory))
        {
            // initdb was interrupted last time; it only runs on an empty folder.
            Directory.Delete(clusterDirectory, recursive: true);
        }

        var passwordFile = Path.Combine(dataDirectory, PasswordFileName);
        await WriteInstanceFileAsync(passwordFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), commands.RunAsUser, ct);

        List<string> arguments =
        [
            "-D", clusterDirectory, "-U", Superuser, "--pwfile=" + passwordFile, "--auth=scram-sha-256",
            "--encoding=UTF8", "--locale=C", "--no-instructions",
        ];
        if (!options.Fsync)
        {
            arguments.Add("--no-sync");
        }

        var initdb = await commands.RunAsync(binaries.InitDb, arguments, ct);
        if (!initdb.Succeeded)
        {
            throw new InvalidOperationException($"initdb failed for {clusterDirectory}: {initdb.Output}");
        }

        // Our settings live in their own file, rewritten at every start.
        await File.AppendAllTextAsync(
            Path.Combine(clusterDirectory, "postgresql.conf"), $"\ninclude_if_exists = '{SettingsFileName}'\n", ct);
        return true;
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task<int> StartServerAsync(
        PostgresBinaries binaries, OsCommand commands, string dataDirectory, string clusterDirectory,
        EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        var portFile = Path.Combine(dataDirectory, PortFileName);
        var port = ReusablePort(portFile);
        for (var attempt = 1; ; attempt++)
        {
            await WriteInstanceFileAsync(Path.Combine(clusterDirectory, SettingsFileName), Settings(port, options.Fsync, options.MaxConnections), commands.RunAsUser, ct);
            await File.WriteAllTextAsync(portFile, port.ToString(CultureInfo.InvariantCulture), ct);

            var timeoutSeconds = ((int)Math.Ceiling(options.StartTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var start = await commands.RunAsync(
                binaries.PgCtl, ["start", "-D", clusterDirectory, "-l", Path.Combine(dataDirectory, LogFileName), "-w", "-t", timeoutSeconds], ct);
            if (start.Succeeded)
            {
                return port;
            }

            var logTail = ReadLogTail(Path.Combine(dataDirectory, LogFileName));
            if (attempt < StartAttempts && logTail.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                // Someone took the port between our check and the server's bind.
                logger.EmbeddedPortTaken(port);
                port = FreePort();
                continue;
            }

            throw new InvalidOperationException($"Embedded PostgreSQL in {dataDirectory} did not start: {start.Output}\n{logTail}");
        }
    }

    private static string Settings(int port, bool fsync, int maxConnections) => string.Join('\n',
        "# Written by ViaSocket at every start; change EmbeddedPostgresOptions instead of this file.",
        "listen_addresses = '127.0.0.1'",
        $"port = {port.ToString(CultureInfo.InvariantCulture)}",
        "unix_socket_directories = ''",
        $"max_connections = {maxConnections.ToString(CultureInfo.InvariantCulture)}",
        "timezone = 'UTC'",
        "log_timezone = 'UTC'",
        $"fsync = {(fsync ? "on" : "off")}",
        $"full_page_writes = {(fsync ? "on" : "off")}",
        string.Empty);

    /// <summary>The port used last time if it is still free (so the service's address is stable), else a new free one.</summary>
    private static int ReusablePort(string portFile)
    {
        if (File.Exists(portFile)
            && int.TryParse(File.ReadAllText(portFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var previous)
            && IsFree(previous))
        {
            return previous;
        }

        return FreePort();
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Line 4 of postmaster.pid is the port the running server listens on.</summary>
    private static int ReadPortFromPidFile(string clusterDirectory)
    {
        var lines = File.ReadAllLines(Path.Combine(clusterDirectory, "postmaster.pid"));
        return int.Parse(lines[3].Trim(), CultureInfo.InvariantCulture);
    }

    private static string ReadLogTail(string logFile)
    {
        if (!File.Exists(logFile))
        {
            return string.Empty;
        }

        return string.Join('\n', File.ReadLines(logFile).TakeLast(20));
    }

    /// <summary>Writes a 0600 file the server's OS user can read (it owns it when we run as root).</summary>
    [UnsupportedOSPlatform("windows")]
    private static async Task WriteInstanceFileAsync(string path, string content, string? owner, CancellationToken ct)
    {
        File.Delete(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var writer = new StreamWriter(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            await writer.WriteAsync(content.AsMemory(), ct);
        }

        if (owner is not null)
        {
            var chown = await OsCommand.RunAsCurrentUserAsync("chown", [owner, path], ct);
            if (!chown.Succeeded)
            {
                throw new InvalidOperationException($"Could not hand {path} to user '{owner}': {chown.Output}");
            }
        }
    }

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseNamePattern();
}
