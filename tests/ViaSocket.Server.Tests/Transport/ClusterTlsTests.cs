using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ViaSocket.ClusterSecurity;
using ViaSocket.SampleEngine;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Server.Tests.Transport;

/// <summary>Two silo processes on 127.0.0.1 whose silo and gateway ports require mutual TLS with the cluster CA.</summary>
public sealed class ClusterTlsFixture : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("viasocket-tls-").FullName;
    private SiloProcess? first;
    private SiloProcess? second;

    public string ConnectionString { get; private set; } = "";

    public TestCertificateAuthority ClusterCa { get; private set; } = null!;

    public TestCertificateAuthority OtherCa { get; private set; } = null!;

    public SiloProcess First => first!;

    public async Task InitializeAsync()
    {
        ClusterCa = TestCertificateAuthority.Create(directory, "cluster");
        OtherCa = TestCertificateAuthority.Create(directory, "other");
        var node = ClusterCa.Issue("node");
        ConnectionString = await new PostgresFixture().CreateDatabaseAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ViaSocket__Cluster__Tls__CertificatePath"] = node.CertificatePath,
            ["ViaSocket__Cluster__Tls__KeyPath"] = node.KeyPath,
            ["ViaSocket__Cluster__Tls__CaCertificatesPath"] = ClusterCa.CertificatePath,
        };
        var publicBaseUrl = new Uri("http://127.0.0.1:1/");
        first = await SiloProcess.StartAsync(ConnectionString, apiKey, keys, publicBaseUrl, environment);
        second = await SiloProcess.StartAsync(ConnectionString, apiKey, keys, publicBaseUrl, environment);
    }

    /// <summary>A client trusting the cluster CA and presenting <paramref name="certificate"/>.</summary>
    public ClusterTlsOptions ClientTls((string CertificatePath, string KeyPath) certificate) =>
        new() { CertificatePath = certificate.CertificatePath, KeyPath = certificate.KeyPath, CaCertificatesPath = ClusterCa.CertificatePath };

    public async Task DisposeAsync()
    {
        if (first is not null)
        {
            await first.DisposeAsync();
        }

        if (second is not null)
        {
            await second.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }
}

public sealed class ClusterTlsTests(ClusterTlsFixture cluster) : IClassFixture<ClusterTlsFixture>
{
    private static readonly TimeSpan ConnectLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_client_with_a_certificate_of_the_cluster_CA_connects_and_sees_both_silos_active()
    {
        using var client = EngineClient.CreateHost(cluster.ConnectionString, tls: cluster.ClientTls(cluster.ClusterCa.Issue("engine")));
        using var limit = new CancellationTokenSource(ConnectLimit);
        await client.StartAsync(limit.Token);

        // Both joined only if the silo-to-silo connections, also mutual TLS, were accepted.
        var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true).WaitAsync(ConnectLimit);
        Assert.Equal(2, hosts.Count);
        await client.StopAsync();
    }

    [Fact]
    public async Task A_client_without_a_certificate_cannot_call_a_grain()
    {
        using var client = EngineClient.CreateHost(cluster.ConnectionString, tls: new ClusterTlsOptions());
        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_another_CA_cannot_call_a_grain()
    {
        using var client = EngineClient.CreateHost(cluster.ConnectionString, tls: cluster.ClientTls(cluster.OtherCa.Issue("intruder")));
        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task Plain_bytes_to_the_gateway_port_get_no_answer_and_the_connection_is_closed()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, cluster.First.GatewayPort);
        var stream = tcp.GetStream();

        // What a clear-text Orleans client writes first: a length-prefixed preamble; anything but a TLS ClientHello.
        var bytes = new byte[64];
        BitConverter.TryWriteBytes(bytes, 60);
        Random.Shared.NextBytes(bytes.AsSpan(4));
        await stream.WriteAsync(bytes);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[256];
        var read = 0;
        try
        {
            read = await stream.ReadAsync(buffer, limit.Token);
        }
        catch (IOException)
        {
        }

        Assert.False(limit.IsCancellationRequested, "the gateway kept a clear-text connection open");
        Assert.Equal(0, read);
    }

    private static async Task AssertRefusedAsync(IHost client)
    {
        using var limit = new CancellationTokenSource(ConnectLimit);
        var call = async () =>
        {
            await client.StartAsync(limit.Token);
            await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(ConnectLimit);
        };

        var refused = await Record.ExceptionAsync(call);
        Assert.NotNull(refused);
    }
}
