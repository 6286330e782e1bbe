using System.Globalization;

namespace ViaSocket.Persistence.Embedded;

/// <summary>Where the PostgreSQL server programs are: the newest <c>/usr/lib/postgresql/N/bin</c>, else <c>PATH</c>.</summary>
internal sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    public const string DebianRoot = "/usr/lib/postgresql";

    public const string NotFoundMessage =
        "PostgreSQL server binaries not found; install them with `sudo apt-get install -y postgresql`";

    public static PostgresBinaries Locate() =>
        Locate(DebianRoot, Environment.GetEnvironmentVariable("PATH"));

    /// <summary>Looks in the versioned folders under <paramref name="versionedRoot"/> (highest version first), then in <paramref name="searchPath"/>.</summary>
    public static PostgresBinaries Locate(string versionedRoot, string? searchPath)
    {
        var candidates = VersionedBinFolders(versionedRoot)
            .Concat((searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (var folder in candidates)
        {
            var initDb = Path.Combine(folder, "initdb");
            var pgCtl = Path.Combine(folder, "pg_ctl");
            // pg_ctl starts the `postgres` program from its own folder, so all three must sit together.
            if (File.Exists(initDb) && File.Exists(pgCtl) && File.Exists(Path.Combine(folder, "postgres")))
            {
                return new PostgresBinaries(initDb, pgCtl);
            }
        }

        throw new FileNotFoundException(NotFoundMessage);
    }

    private static IEnumerable<string> VersionedBinFolders(string versionedRoot)
    {
        if (!Directory.Exists(versionedRoot))
        {
            return [];
        }

        return Directory.EnumerateDirectories(versionedRoot)
            .Select(folder => (Folder: folder, Version: decimal.TryParse(Path.GetFileName(folder), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var version) ? version : (decimal?)null))
            .Where(entry => entry.Version is not null)
            .OrderByDescending(entry => entry.Version)
            .Select(entry => Path.Combine(entry.Folder, "bin"));
    }
}
