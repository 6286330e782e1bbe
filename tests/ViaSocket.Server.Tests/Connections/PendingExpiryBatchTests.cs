using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ViaSocket.Grains.Connections;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>The pending-connection expiry deletes a bounded batch per run, oldest first, and nothing but stale pending rows.</summary>
public sealed class PendingExpiryBatchTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    [Fact]
    public async Task One_run_deletes_at_most_a_batch_of_the_oldest_stale_pending_connections()
    {
        // Directory rows only, written hours ago (the grains behind them hold nothing, as after a lost write): more stale
        // pending ones than one run deletes, stale rows of other statuses, and a pending one still inside its lifetime.
        const string workspaceId = "ws-pending-expiry";
        await using var runsOnlyHere = await HoldChoreLockAsync();
        var directory = fixture.Host.App.Services.GetRequiredService<ConnectionDirectory>();
        var now = fixture.Time.GetUtcNow();
        var stale = Enumerable.Range(0, PendingConnectionExpiry.BatchSize + 20).Select(i => $"pending-{i:D4}").ToList();
        for (var i = 0; i < stale.Count; i++)
        {
            await UpsertAsync(directory, workspaceId, stale[i], "pending", now - TimeSpan.FromHours(5) + TimeSpan.FromSeconds(i));
        }

        await UpsertAsync(directory, workspaceId, "active-old", "active", now - TimeSpan.FromDays(3));
        await UpsertAsync(directory, workspaceId, "revoked-old", "revoked", now - TimeSpan.FromDays(3));
        await UpsertAsync(directory, workspaceId, "pending-recent", "pending", now - TimeSpan.FromMinutes(30));
        var expiry = fixture.Host.App.Services.GetServices<IHostedService>().OfType<PendingConnectionExpiry>().Single();

        await expiry.RunOnceAsync(CancellationToken.None);

        Assert.Equal([.. stale.Skip(PendingConnectionExpiry.BatchSize), "pending-recent"], await ListAsync(directory, workspaceId, "pending"));

        await expiry.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["pending-recent"], await ListAsync(directory, workspaceId, "pending"));
        Assert.Equal(["active-old"], await ListAsync(directory, workspaceId, "active"));
        Assert.Equal(["revoked-old"], await ListAsync(directory, workspaceId, "revoked"));
    }

    /// <summary>Waits out the service's own run at start and keeps it from running meanwhile: only the test's runs count.</summary>
    private async Task<NpgsqlConnection> HoldChoreLockAsync()
    {
        var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@id)", connection);
        command.Parameters.AddWithValue("id", PendingConnectionExpiry.ExclusiveLockId);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static Task UpsertAsync(ConnectionDirectory directory, string workspaceId, string connectionId, string status, DateTimeOffset writtenAt) =>
        directory.UpsertAsync(new(workspaceId, connectionId, "owner", "plugin", "v1", status, null, null, null, null, null, writtenAt, writtenAt));

    private static async Task<List<string>> ListAsync(ConnectionDirectory directory, string workspaceId, string status) =>
        [.. (await directory.ListAsync(new ConnectionQuery(workspaceId, Status: status, Limit: ConnectionDirectory.MaxLimit))).Select(e => e.ConnectionId)];
}
