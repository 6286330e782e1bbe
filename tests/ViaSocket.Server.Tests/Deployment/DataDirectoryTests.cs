using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Tests.Deployment;

public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"viasocket-datadir-{Guid.NewGuid():N}");

    [Fact]
    public void Everything_a_node_keeps_locally_is_inside_the_configured_folder()
    {
        var data = DataDirectory.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:DataDirectory"] = _root }).Build());

        Assert.Equal(_root, data.Path);
        Assert.All([data.Postgres, data.MasterKeys, data.BootstrapKeyFile], path => Assert.Equal(_root, Path.GetDirectoryName(path)));
    }

    [Fact]
    public void Keys_an_earlier_release_kept_elsewhere_move_into_the_data_directory()
    {
        var earlier = Earlier("local-1.key", "earlier key", "vso_earlier");
        var data = new DataDirectory(Path.Combine(_root, "data")).Create();

        data.AdoptEarlierState(earlier, NullLogger.Instance);

        Assert.Equal("earlier key", File.ReadAllText(Path.Combine(data.MasterKeys, "local-1.key")));
        Assert.Equal("vso_earlier", File.ReadAllText(data.BootstrapKeyFile));
        Assert.False(Directory.Exists(Path.Combine(earlier, "master-keys")));
        Assert.False(File.Exists(Path.Combine(earlier, "bootstrap-api-key")));
    }

    [Fact]
    public void Keys_already_in_the_data_directory_are_never_replaced_by_earlier_ones()
    {
        var earlier = Earlier("local-1.key", "earlier key", "vso_earlier");
        var data = new DataDirectory(Path.Combine(_root, "data")).Create();
        Directory.CreateDirectory(data.MasterKeys);
        File.WriteAllText(Path.Combine(data.MasterKeys, "local-2.key"), "current key");
        File.WriteAllText(data.BootstrapKeyFile, "vso_current");

        data.AdoptEarlierState(earlier, NullLogger.Instance);

        Assert.Equal(["local-2.key"], Directory.EnumerateFiles(data.MasterKeys).Select(Path.GetFileName));
        Assert.Equal("vso_current", File.ReadAllText(data.BootstrapKeyFile));
        Assert.True(File.Exists(Path.Combine(earlier, "master-keys", "local-1.key")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Earlier(string keyFile, string key, string bootstrapKey)
    {
        var earlier = Path.Combine(_root, "earlier");
        Directory.CreateDirectory(Path.Combine(earlier, "master-keys"));
        File.WriteAllText(Path.Combine(earlier, "master-keys", keyFile), key);
        File.WriteAllText(Path.Combine(earlier, "bootstrap-api-key"), bootstrapKey);
        return earlier;
    }
}
