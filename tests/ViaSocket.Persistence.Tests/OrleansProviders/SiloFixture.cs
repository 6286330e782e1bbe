using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Persistence.Tests.OrleansProviders;

/// <summary>
/// A real silo whose clustering, grain storage and reminders all use the ADO.NET providers against a fresh
/// migrated test database. Contract tests resolve the providers from its services and call them directly.
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public const string ServiceId = "viasocket-contract";
    public const string SiloClusterId = "contract-silo";
    public const string Storage = "contract";
    public const string DeletingStorage = "contract-delete";
    public const string Invariant = "Npgsql";

    private IHost? host;

    public string ConnectionString { get; private set; } = string.Empty;

    public IServiceProvider Services => host?.Services ?? throw new InvalidOperationException("The silo has not started.");

    public async Task InitializeAsync()
    {
        ConnectionString = await new PostgresFixture().CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = SiloClusterId;
                options.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = ConnectionString;
            });
            silo.AddAdoNetGrainStorage(Storage, options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = ConnectionString;
            });
            silo.AddAdoNetGrainStorage(DeletingStorage, options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = ConnectionString;
                options.DeleteStateOnClear = true;
            });
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = ConnectionString;
            });
        });
        host = builder.Build();
        await host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    public T Create<T>(params object[] arguments) => ActivatorUtilities.CreateInstance<T>(Services, arguments);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "ADO.NET silo";
}
