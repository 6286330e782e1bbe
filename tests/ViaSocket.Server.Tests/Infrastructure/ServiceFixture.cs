using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ViaSocket.Grains.Events;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>One database, one running service and one test provider, shared by the tests of a class.</summary>
public class ServiceFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public ViaSocketTestHost Host { get; private set; } = null!;

    public TestAuthorizationServer Provider { get; private set; } = null!;

    public ConnectFlow Flow { get; private set; } = null!;

    /// <summary>The service's clock, when the fixture replaces it; null runs on real time.</summary>
    protected virtual TimeProvider? Clock => null;

    /// <summary>The provider's clock for code and token expiry, when the fixture replaces it; null runs on real time.</summary>
    protected virtual TimeProvider? ProviderClock => null;

    /// <summary>Configuration added to the test host's, e.g. rate limits.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Services added to the test host's, e.g. a grain call filter that injects faults.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        ConnectionString = await new PostgresFixture().CreateDatabaseAsync();
        Provider = await TestAuthorizationServer.StartAsync(time: ProviderClock);
        Host = await ViaSocketTestHost.StartAsync(ConnectionString, configure: builder =>
        {
            builder.Configuration.AddInMemoryCollection(Settings);
            if (Clock is { } clock)
            {
                builder.Services.AddSingleton(clock);
            }

            ConfigureServices(builder.Services);
        });
        Provider.RegisterClient(ProviderDefinitions.Client(Host.CallbackUrl));
        Flow = new ConnectFlow(Host, Provider);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Provider.DisposeAsync();
    }

    /// <summary>Runs SQL against the service's database, for tests that age or break rows; returns the first column of the first row.</summary>
    public async Task<object?> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }
}

/// <summary>
/// The service on a fake clock: tests move time forward to make tokens near expiry or expired, instead of sleeping.
/// The test provider keeps real time, so the tokens it issues stay valid at the provider.
/// </summary>
public sealed class FakeClockServiceFixture : ServiceFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => Time;
}

/// <summary>The service on a fake clock, with lifecycle events passing through a gate the test can close.</summary>
public abstract class GatedFakeClockServiceFixture : ServiceFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public PublicationGate Gate { get; } = new();

    protected override TimeProvider? Clock => Time;

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IConnectionEventPublisher>(Gate);
}
