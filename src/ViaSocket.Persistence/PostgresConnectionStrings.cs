using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ViaSocket.Persistence;

/// <summary>
/// Keeps the database password out of connection strings. The Orleans ADO.NET providers log their connection
/// string at start-up, so the string handed to them must not carry <c>Password=</c>; Npgsql reads the password
/// from a pgpass file named by <c>Passfile=</c> instead.
/// </summary>
public static class PostgresConnectionStrings
{
    private const int DefaultPort = 5432;
    private const string Redacted = "***";

    /// <summary>
    /// Moves the password of <paramref name="connectionString"/> into a pgpass file (mode 0600) under
    /// <paramref name="passfileDirectory"/> and returns the same connection string with <c>Passfile=</c> instead
    /// of <c>Password=</c>. A string without a password is returned unchanged.
    /// </summary>
    public static string WithoutPassword(string connectionString, string passfileDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(passfileDirectory);

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.Password))
        {
            return connectionString;
        }

        var entries = PassfileEntries(builder);
        var path = Path.Combine(passfileDirectory, PassfileName(entries));
        WritePrivateFile(passfileDirectory, path, string.Join('\n', entries.Select(entry => entry.Line(builder.Password))) + "\n");

        builder.Password = null;
        builder.Passfile = path;
        return builder.ConnectionString;
    }

    /// <summary>The number of statements each connection prepares automatically unless the string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// Turns on Npgsql's automatic preparation unless <paramref name="connectionString"/> already sets
    /// <c>Max Auto Prepare</c>. Grain state, reminder and directory writes are the same few statements over and over;
    /// prepared, PostgreSQL skips parsing and planning them on every call. <c>Max Auto Prepare=0</c> turns it off, e.g.
    /// behind a pooler that cannot keep prepared statements.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        // Npgsql's builder reports every keyword as present; the plain builder holds only what the string spells out.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (written.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare };
        return builder.ConnectionString;
    }

    /// <summary>The connection string with every secret replaced by <c>***</c>, for logs and diagnostics.</summary>
    public static string Redact(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // Never echo a string we cannot parse: it may hold a password in a form we do not recognise.
            return "(unparseable connection string)";
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = Redacted;
        }

        if (!string.IsNullOrEmpty(builder.SslPassword))
        {
            builder.SslPassword = Redacted;
        }

        return builder.ConnectionString;
    }

    /// <summary>One pgpass line per host of a (possibly multi-host) connection string; any database name matches.</summary>
    private static List<PassfileEntry> PassfileEntries(NpgsqlConnectionStringBuilder builder)
    {
        var username = string.IsNullOrEmpty(builder.Username) ? "*" : builder.Username;
        var hosts = string.IsNullOrEmpty(builder.Host) ? ["localhost"] : builder.Host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var defaultPort = builder.Port == 0 ? DefaultPort : builder.Port;
        return hosts.Select(host => ParseHost(host, defaultPort, username)).ToList();
    }

    private static PassfileEntry ParseHost(string host, int defaultPort, string username)
    {
        // Npgsql accepts "host:port" inside Host; a bare IPv6 address has more than one colon and no port.
        var colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(':') == colon && int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return new PassfileEntry(host[..colon], port, username);
        }

        return new PassfileEntry(host, defaultPort, username);
    }

    private static string PassfileName(IEnumerable<PassfileEntry> entries)
    {
        // Named after the servers and user, so different databases on one server share a file and different servers do not.
        var identity = string.Join('|', entries.Select(entry => $"{entry.Host}:{entry.Port}:{entry.Username}"));
        return "pgpass-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    private static void WritePrivateFile(string directory, string path, string content)
    {
        var temporaryPath = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(temporaryPath, content);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using var writer = new StreamWriter(temporaryPath, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
            writer.Write(content);
        }

        // Rename over the old file so a reader never sees half a file.
        File.Move(temporaryPath, path, overwrite: true);
    }

    private sealed record PassfileEntry(string Host, int Port, string Username)
    {
        public string Line(string password) =>
            string.Join(':', Escape(Host), Port.ToString(CultureInfo.InvariantCulture), "*", Escape(Username), Escape(password));

        // pgpass fields escape ':' and '\' with a backslash.
        private static string Escape(string field) =>
            field == "*" ? field : field.Replace(@"\", @"\\", StringComparison.Ordinal).Replace(":", @"\:", StringComparison.Ordinal);
    }
}
