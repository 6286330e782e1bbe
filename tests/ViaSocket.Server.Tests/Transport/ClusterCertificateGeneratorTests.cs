using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.ClusterSecurity;
using ViaSocket.Server.Transport;

namespace ViaSocket.Server.Tests.Transport;

public sealed class ClusterCertificateGeneratorTests : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(30);
    private readonly string root = Directory.CreateTempSubdirectory("viasocket-certs-").FullName;
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    private string Generate(string name, params string[] nodes)
    {
        var directory = Path.Combine(root, name);
        ClusterCertificateGenerator.Ensure(directory, nodes, Validity, time);
        return directory;
    }

    private static ClusterTlsOptions Settings(string directory, string node) => new()
    {
        CertificatePath = ClusterCertificateGenerator.CertificatePath(directory, node),
        KeyPath = ClusterCertificateGenerator.KeyPath(directory, node),
        CaCertificatesPath = Path.Combine(directory, ClusterCertificateGenerator.CaFileName),
    };

    [Fact]
    public void Node_certificates_chain_to_the_generated_ca_for_server_and_client_authentication_and_name_the_node()
    {
        var directory = Generate("cluster", "silo-1", "frontend");
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, ClusterCertificateGenerator.CaFileName));
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(ca.Subject, ca.Issuer);

        foreach (var node in new[] { "silo-1", "frontend" })
        {
            // Loaded the way a node loads its settings, so the files are what ViaSocket:Cluster:Tls takes.
            var loaded = ClusterTlsCertificates.Load(Settings(directory, node));
            var certificate = loaded.Local;
            Assert.True(certificate.HasPrivateKey);
            Assert.True(loaded.Peers.IsTrusted(certificate));
            Assert.Equal(ca.Subject, certificate.Issuer);
            Assert.Equal($"CN={node}", certificate.Subject);
            Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
            var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
            Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages.Order());
            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Equal([node, "localhost"], names.EnumerateDnsNames());
            Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
            Assert.InRange(certificate.NotAfter.ToUniversalTime(), time.GetUtcNow().UtcDateTime + Validity - TimeSpan.FromSeconds(1), time.GetUtcNow().UtcDateTime + Validity);
        }
    }

    [Fact]
    public void A_certificate_of_another_generated_ca_is_refused()
    {
        var cluster = Generate("cluster", "silo-1");
        var other = Generate("other", "silo-1");
        var peers = ClusterTlsCertificates.Load(Settings(cluster, "silo-1")).Peers;
        var stranger = ClusterTlsCertificates.Load(Settings(other, "silo-1")).Local;
        using var strangerCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(other, ClusterCertificateGenerator.CaFileName));

        Assert.False(peers.IsTrusted(stranger));
        Assert.False(peers.IsTrusted(strangerCa));
    }

    [Fact]
    public void Private_keys_are_readable_by_their_owner_only_also_when_they_replace_a_readable_file()
    {
        var directory = Path.Combine(root, "cluster");
        Directory.CreateDirectory(directory);
        var keyPath = ClusterCertificateGenerator.KeyPath(directory, "silo-1");
        File.WriteAllText(keyPath, "an older key");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2"], Validity, time);

        foreach (var node in new[] { "silo-1", "silo-2" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ClusterCertificateGenerator.KeyPath(directory, node)));
        }

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyPath), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    [Fact]
    public void A_valid_set_is_kept_and_replaced_when_forced_incomplete_or_half_expired()
    {
        var directory = Path.Combine(root, "cluster");
        var first = ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2"], Validity, time);
        var key = File.ReadAllText(ClusterCertificateGenerator.KeyPath(directory, "silo-1"));

        var again = ClusterCertificateGenerator.Ensure(directory, ["silo-2", "silo-1"], Validity, time);
        Assert.True(first.Written);
        Assert.False(again.Written);
        Assert.Equal(first.CaThumbprint, again.CaThumbprint);
        Assert.Equal(key, File.ReadAllText(ClusterCertificateGenerator.KeyPath(directory, "silo-1")));

        var forced = ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2"], Validity, time, force: true);
        Assert.True(forced.Written);
        Assert.NotEqual(first.CaThumbprint, forced.CaThumbprint);

        // A node the set has no certificate for: the whole set is new, so every node trusts the same CA.
        var grown = ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2", "silo-3"], Validity, time);
        Assert.True(grown.Written);
        Assert.NotEqual(forced.CaThumbprint, grown.CaThumbprint);
        var peers = ClusterTlsCertificates.Load(Settings(directory, "silo-3")).Peers;
        Assert.True(peers.IsTrusted(ClusterTlsCertificates.Load(Settings(directory, "silo-1")).Local));

        time.Advance(Validity / 2 - TimeSpan.FromHours(1));
        Assert.False(ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2", "silo-3"], Validity, time).Written);
        time.Advance(TimeSpan.FromHours(2));
        Assert.True(ClusterCertificateGenerator.Ensure(directory, ["silo-1", "silo-2", "silo-3"], Validity, time).Written);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("..")]
    [InlineData("-node")]
    [InlineData("node-")]
    [InlineData("a b")]
    [InlineData("node\n")]
    [InlineData("")]
    [InlineData("ca")]
    [InlineData("CA")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_node_name_that_is_not_a_dns_label_is_refused_and_nothing_is_written(string node)
    {
        var directory = Path.Combine(root, "cluster");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = ClusterCertsCommand.Run(["--out", directory, "--node", "silo-1", "--node", node], output, error, time);

        Assert.Equal(2, exit);
        Assert.Contains("node name", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        Assert.Throws<ArgumentException>(() => ClusterCertificateGenerator.Ensure(directory, [node], Validity, time));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Theory]
    [InlineData("--node", "silo-1")]
    [InlineData("--out", "DIR")]
    [InlineData("--out")]
    [InlineData("--out", "DIR", "--node")]
    [InlineData("--out", "DIR", "--days", "0", "--node", "silo-1")]
    [InlineData("--out", "DIR", "--days", "3651", "--node", "silo-1")]
    [InlineData("--out", "DIR", "--days", "-1", "--node", "silo-1")]
    [InlineData("--out", "DIR", "--days", "x", "--node", "silo-1")]
    [InlineData("--out", "DIR", "--node", "silo-1", "--verbose")]
    public void Incomplete_or_unknown_arguments_are_a_usage_error(params string[] arguments)
    {
        var directory = Path.Combine(root, "cluster");
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(2, ClusterCertsCommand.Run(arguments.Select(a => a == "DIR" ? directory : a).ToArray(), output, error, time));
        Assert.Contains("usage: ViaSocket.Server cluster-certs", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task The_server_executable_writes_the_set_and_prints_no_key()
    {
        var directory = Path.Combine(root, "cluster");
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "ViaSocket.Server.dll"), "cluster-certs", "--out", directory, "--node", "silo-1", "--node", "frontend", "--days", "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        var loaded = ClusterTlsCertificates.Load(Settings(directory, "frontend"));
        Assert.True(loaded.Peers.IsTrusted(loaded.Local));
        Assert.Contains("Wrote a new cluster CA", output, StringComparison.Ordinal);
        Assert.InRange(loaded.Local.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(2).AddMinutes(-5), DateTime.UtcNow.AddDays(2));
        Assert.DoesNotContain("PRIVATE KEY", output + error, StringComparison.Ordinal);
        Assert.True(File.Exists(ClusterCertificateGenerator.KeyPath(directory, "silo-1")));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
