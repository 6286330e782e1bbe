using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// The OS confinement of a runner, probed from inside it (its self-check) and asserted against what this machine
/// offers, determined here independently of the runner: root dropped, Landlock hiding files outside the runner's
/// allow-list, refusing writes outside its temp folder and (ABI 4+) refusing TCP connections.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RunnerConfinementTests : IDisposable
{
    private const int Nobody = 65534;
    private static readonly UnixFileMode WorldReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly UnixFileMode OpenToAll = (UnixFileMode)0b111_111_111;

    private readonly int _abi = LandlockProbe.Abi();
    private readonly string _root = Directory.CreateTempSubdirectory("viasocket-confinement-").FullName;
    private readonly string _shmPrefix = $"/dev/shm/viasocket-confinement-{Guid.NewGuid():N}";

    public RunnerConfinementTests()
    {
        // The runner, once it is nobody, walks through this folder to its own temp folder.
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private string Runners => Path.Combine(_root, "runners");

    [Fact]
    public async Task A_root_only_file_is_unreadable_once_the_runner_has_dropped_root()
    {
        // Under /dev, which the runner's allow-list lets it read: only the uid drop stands between it and the file.
        var rootOnly = Probe(_shmPrefix + "-root-only", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var report = await SelfCheckReport.RunAsync(Runners, rootOnly);

        Assert.True(report.CanWriteTemp);
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(Nobody, report.Uid);
            Assert.False(report.CanRead, "the runner read a 0600 root-owned file: it did not drop root");
        }
    }

    [Fact]
    public async Task A_world_readable_file_where_the_allow_list_reaches_is_readable_so_the_uid_probe_tests_the_uid()
    {
        var control = Probe(_shmPrefix + "-world-readable", WorldReadable);

        var report = await SelfCheckReport.RunAsync(Runners, control);

        Assert.True(report.CanRead, "the runner could not read a 0644 file under /dev");
    }

    [Fact]
    public async Task Outside_its_allow_list_the_runner_reads_writes_and_connects_to_nothing_when_landlock_is_there()
    {
        // World-readable in a world-writable folder: only Landlock stands between the runner and reading or writing it.
        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.SetUnixFileMode(outside, OpenToAll);
        var probe = Probe(Path.Combine(outside, "settings.json"), WorldReadable);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var report = await SelfCheckReport.RunAsync(Runners, probe, ((IPEndPoint)listener.LocalEndpoint).Port);

        Assert.Equal(_abi, report.LandlockAbi);
        Assert.True(report.CanWriteTemp, "the runner could not write in its own temp folder");
        Assert.Equal(_abi == 0, report.CanRead);
        Assert.Equal(_abi == 0, report.CanWrite);
        Assert.Equal(_abi >= 4, report.NetworkDenied);
        Assert.Equal(_abi < 4, report.CanConnect);
        Assert.Equal(_abi < 4, listener.Pending());
    }

    private static string Probe(string path, UnixFileMode mode)
    {
        File.WriteAllText(path, "{\"secret\":\"probe\"}");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    public void Dispose()
    {
        foreach (var file in Directory.GetFiles("/dev/shm", Path.GetFileName(_shmPrefix) + "*"))
        {
            File.Delete(file);
        }

        Directory.Delete(_root, recursive: true);
    }
}
