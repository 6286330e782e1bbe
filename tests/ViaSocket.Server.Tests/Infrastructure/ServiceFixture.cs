using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>One database, one running service and one test provider, shared by the tests of a class.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public ViaSocketTestHost Host { get; private set; } = null!;

    public TestAuthorizationServer Provider { get; private set; } = null!;

    public ConnectFlow Flow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await new PostgresFixture().CreateDatabaseAsync();
        Provider = await TestAuthorizationServer.StartAsync();
        Host = await ViaSocketTestHost.StartAsync(ConnectionString);
        Provider.RegisterClient(ProviderDefinitions.Client(Host.CallbackUrl));
        Flow = new ConnectFlow(Host, Provider);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
