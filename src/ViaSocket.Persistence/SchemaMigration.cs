using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ViaSocket.Persistence;

/// <summary>One versioned SQL script from <c>deploy/postgresql/migrations</c>, embedded in this assembly.</summary>
internal sealed partial record SchemaMigration(int Version, string Name, string Script, string Checksum)
{
    private const string ResourcePrefix = "migrations/";

    /// <summary>The embedded migrations ordered by version; a new file under the migrations folder is picked up by the build.</summary>
    public static IReadOnlyList<SchemaMigration> Embedded { get; } = LoadEmbedded();

    /// <summary>Parses <c>NNNN_description.sql</c> into a migration.</summary>
    public static SchemaMigration FromFile(string fileName, string script)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new SchemaMigrationException(
                $"Migration file '{fileName}' is not named NNNN_description.sql (four digits, lower-case words).");
        }

        // Line endings are normalised so a checkout with CRLF does not look like an edited migration.
        var normalized = script.ReplaceLineEndings("\n");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
        return new SchemaMigration(int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture), match.Groups["name"].Value, normalized, checksum);
    }

    private static List<SchemaMigration> LoadEmbedded()
    {
        var assembly = typeof(SchemaMigration).Assembly;
        var migrations = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(name => FromFile(name[ResourcePrefix.Length..], ReadResource(assembly, name)))
            .OrderBy(migration => migration.Version)
            .ToList();

        var duplicate = migrations.GroupBy(migration => migration.Version).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new SchemaMigrationException(
                $"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(migration => migration.Name))}.");
        }

        return migrations;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new SchemaMigrationException($"Embedded migration '{name}' cannot be read.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
