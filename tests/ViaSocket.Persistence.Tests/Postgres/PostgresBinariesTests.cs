using ViaSocket.Persistence.Embedded;

namespace ViaSocket.Persistence.Tests.Postgres;

public sealed class PostgresBinariesTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "viasocket-binaries-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void The_highest_installed_version_wins_over_older_ones_and_path()
    {
        var versioned = Path.Combine(root, "lib");
        CreateServerPrograms(Path.Combine(versioned, "9.6", "bin"));
        CreateServerPrograms(Path.Combine(versioned, "16", "bin"));
        CreateServerPrograms(Path.Combine(versioned, "15", "bin"));
        var onPath = Path.Combine(root, "path");
        CreateServerPrograms(onPath);

        var binaries = PostgresBinaries.Locate(versioned, onPath);

        Assert.Equal(Path.Combine(versioned, "16", "bin", "initdb"), binaries.InitDb);
        Assert.Equal(Path.Combine(versioned, "16", "bin", "pg_ctl"), binaries.PgCtl);
    }

    [Fact]
    public void Without_a_versioned_install_the_path_is_searched()
    {
        var onPath = Path.Combine(root, "path");
        CreateServerPrograms(onPath);

        var binaries = PostgresBinaries.Locate(Path.Combine(root, "missing"), string.Join(Path.PathSeparator, Path.Combine(root, "empty"), onPath));

        Assert.Equal(Path.Combine(onPath, "pg_ctl"), binaries.PgCtl);
    }

    [Fact]
    public void Missing_binaries_say_how_to_install_them()
    {
        Directory.CreateDirectory(root);

        var exception = Assert.Throws<FileNotFoundException>(() => PostgresBinaries.Locate(Path.Combine(root, "missing"), root));

        Assert.Equal("PostgreSQL server binaries not found; install them with `sudo apt-get install -y postgresql`", exception.Message);
    }

    private static void CreateServerPrograms(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var program in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.WriteAllText(Path.Combine(folder, program), string.Empty);
        }
    }
}
