using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>A pending lifetime that would delete connects still in progress is refused at start, not at the first expiry.</summary>
public sealed class PendingLifetimeSettingTests
{
    [Fact]
    public async Task A_pending_lifetime_under_a_minute_refuses_to_start()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();

        var refused = await Record.ExceptionAsync(() => ViaSocketTestHost.StartAsync(connectionString, configure: builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Connections:PendingLifetime"] = "00:00:30" })));

        var invalid = Assert.IsType<OptionsValidationException>(refused);
        Assert.Contains("PendingLifetime", invalid.Message, StringComparison.Ordinal);
    }
}
