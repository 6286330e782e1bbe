using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ViaSocket.ClusterSecurity;
using ViaSocket.SampleEngine;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Server.Transport;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Server.Tests.Transport;

/// <summary>
/// Two silo processes on 127.0.0.1 whose silo and gateway ports require mutual TLS with the cluster CA (certificates
/// from <c>cluster-certs</c>), and, as a control, one silo of its own cluster and database without TLS.
/// </summary>
public sealed class ClusterTlsFixture : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("viasocket-tls-").FullName;
    private SiloProcess? first;
    private SiloProcess? second;
    private SiloProcess? plain;

    public string ConnectionString { get; private set; } = "";

    public string ClusterCa => Path.Combine(directory, "cluster");

    public string OtherCa => Path.Combine(directory, "other");

    public SiloProcess First => first!;

    public SiloProcess Plain => plain!;

    public async Task InitializeAsync()
    {
        ClusterCertificateGenerator.Ensure(ClusterCa, ["node", "engine"], TimeSpan.FromDays(1), TimeProvider.System);
        ClusterCertificateGenerator.Ensure(OtherCa, ["intruder"], TimeSpan.FromDays(1), TimeProvider.System);
        ConnectionString = await new PostgresFixture().CreateDatabaseAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ViaSocket__Cluster__Tls__CertificatePath"] = ClusterCertificateGenerator.CertificatePath(ClusterCa, "node"),
            ["ViaSocket__Cluster__Tls__KeyPath"] = ClusterCertificateGenerator.KeyPath(ClusterCa, "node"),
            ["ViaSocket__Cluster__Tls__CaCertificatesPath"] = Path.Combine(ClusterCa, ClusterCertificateGenerator.CaFileName),
        };
        var publicBaseUrl = new Uri("http://127.0.0.1:1/");
        first = await SiloProcess.StartAsync(ConnectionString, apiKey, keys, publicBaseUrl, environment);
        second = await SiloProcess.StartAsync(ConnectionString, apiKey, keys, publicBaseUrl, environment);
        plain = await SiloProcess.StartAsync(await new PostgresFixture().CreateDatabaseAsync(), apiKey, ViaSocketTestHost.NewKeyDirectory(), publicBaseUrl);
    }

    /// <summary>A client trusting the cluster CA and presenting the certificate of <paramref name="node"/> from <paramref name="authority"/>'s set.</summary>
    public ClusterTlsOptions ClientTls(string authority, string node) => new()
    {
        CertificatePath = ClusterCertificateGenerator.CertificatePath(authority, node),
        KeyPath = ClusterCertificateGenerator.KeyPath(authority, node),
        CaCertificatesPath = Path.Combine(ClusterCa, ClusterCertificateGenerator.CaFileName),
    };

    public async Task DisposeAsync()
    {
        foreach (var silo in new[] { first, second, plain })
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
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
        using var client = EngineClient.CreateHost(cluster.ConnectionString, tls: cluster.ClientTls(cluster.ClusterCa, "engine"));
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
        using var client = EngineClient.CreateHost(cluster.ConnectionString, tls: cluster.ClientTls(cluster.OtherCa, "intruder"));
        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task An_orleans_client_speaking_plain_tcp_is_refused_by_the_gateway_that_a_plain_silo_answers()
    {
        // The control: the same clear-text client calls a grain through a gateway without TLS, so what fails below is
        // the TLS requirement of the cluster's gateway, not the client.
        using (var control = PlainClient(cluster.Plain.GatewayPort))
        {
            using var limit = new CancellationTokenSource(ConnectLimit);
            await control.StartAsync(limit.Token);
            var hosts = await control.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(ConnectLimit);
            Assert.Single(hosts);
            await control.StopAsync();
        }

        using var client = PlainClient(cluster.First.GatewayPort);
        await AssertRefusedAsync(client);
    }

    /// <summary>Orleans' own client with a static gateway and no TLS: what anyone on the network could point at the port.</summary>
    private static IHost PlainClient(int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("viasocket", "viasocket-orleans")));
        return builder.Build();
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
