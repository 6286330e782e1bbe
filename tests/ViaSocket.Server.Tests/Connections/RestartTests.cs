using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>State, reminders and connections survive a restart of the service on the same PostgreSQL.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task After_a_restart_the_connection_is_usable_and_its_reminder_refreshes_it_before_expiry()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId;
        JsonNode credentialsBefore;
        await using (var first = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(first.CallbackUrl) with { AccessTokenLifetime = TimeSpan.FromSeconds(20) });
            var flow = new ConnectFlow(first, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
            credentialsBefore = await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        }

        Assert.Equal(1, await CountReminderRowsAsync(connectionString, connectionId));
        var refreshesBefore = provider.RefreshGrants;

        await using var second = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        var restarted = new ConnectFlow(second, provider);

        var version = await restarted.GetJsonAsync("/v1/plugins/crm/auth-versions/v1");
        Assert.Equal("published", (string?)version["status"]);
        var connection = await restarted.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);

        // Refresh falls due 10 s after the 20 s token was issued; nothing but the reminder triggers it.
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (provider.RefreshGrants == refreshesBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(refreshesBefore + 1, provider.RefreshGrants);
        Assert.Equal(0, provider.RefreshTokenReuseCount);
        var tokenBefore = ((string)credentialsBefore["headers"]!["Authorization"]!)["Bearer ".Length..];
        var token = await ConnectFlow.ReadUntilChangedAsync(() => restarted.AccessTokenAsync(connectionId), tokenBefore, DateTimeOffset.UtcNow.AddSeconds(10));
        Assert.NotEqual(tokenBefore, token);
        Assert.True(provider.IsAccessTokenActive(token));
    }

    [Fact]
    public async Task A_connection_whose_refresh_fell_due_while_no_silo_ran_refreshes_as_soon_as_one_starts()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId;
        await using (var first = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(first.CallbackUrl) with { AccessTokenLifetime = TimeSpan.FromSeconds(40) });
            var flow = new ConnectFlow(first, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
        }

        // The service comes back 30 s later by its clock: the refresh fell due at 20 s, while nothing ran. The
        // reminder's next period would be a minute after its due time; the token expires at 40 s.
        var refreshesBefore = provider.RefreshGrants;
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(30));
        await using var second = await ViaSocketTestHost.StartAsync(connectionString, apiKey, builder => builder.Services.AddSingleton<TimeProvider>(later), keys);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (provider.RefreshGrants == refreshesBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(refreshesBefore + 1, provider.RefreshGrants);
        var restarted = new ConnectFlow(second, provider);
        var lastRefreshedAt = await ConnectFlow.ReadUntilChangedAsync(
            async () => (await restarted.GetJsonAsync($"/v1/connections/{connectionId}"))["lastRefreshedAt"]?.ToString() ?? "", "", DateTimeOffset.UtcNow.AddSeconds(10));
        Assert.NotEqual("", lastRefreshedAt);
        Assert.Equal("active", (string?)(await restarted.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    private static async Task<long> CountReminderRowsAsync(string connectionString, string connectionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_reminders WHERE grain_id LIKE @grain AND reminder_name = 'refresh'", connection);
        command.Parameters.AddWithValue("grain", $"%{connectionId}%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
