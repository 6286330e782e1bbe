using Microsoft.Extensions.Logging;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>The durable reminder that wakes the connection when its next refresh (or retry) is due.</summary>
internal sealed partial class ConnectionGrain
{
    public const string RefreshReminderName = "refresh";

    // Reminder periods cannot be shorter than a minute; the due time carries the precision, the period is only the
    // safety net that re-fires if a tick was lost.
    internal static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RefreshReminderName)
        {
            return;
        }

        if (RefreshPolicy.NextWakeAt(Schedule) is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var now = time.GetUtcNow();
        if (RefreshPolicy.IsReconnectSoonDue(Schedule, now))
        {
            await WarnReconnectSoonAsync();
        }

        var due = IsRefreshDue(now);
        LogReminderTick(logger, WorkspaceId, ConnectionId, due);
        if (due)
        {
            NudgeRefresh();
        }
        else
        {
            await ScheduleRefreshAsync();
        }
    }

    /// <summary>
    /// Registers the connection's one durable reminder, due at the next refresh (or retry) time or the
    /// <c>reconnect_soon</c> warning, whichever comes first; unregisters when neither is due.
    /// </summary>
    private async Task ScheduleRefreshAsync()
    {
        var dueAt = RefreshPolicy.NextWakeAt(Schedule);
        if (dueAt is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var dueIn = dueAt.Value - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(RefreshReminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, ReminderPeriod);
    }

    /// <summary>Publishes, once per refresh token, that it dies soon and only reconnecting gives a new one.</summary>
    private async Task WarnReconnectSoonAsync()
    {
        S.ReconnectSoonAt = null;
        Record(ConnectionEventKinds.ReconnectSoon, S.RefreshTokenExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await PersistAsync();
    }

    private async Task UnregisterRefreshReminderAsync()
    {
        if (await this.GetReminder(RefreshReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh reminder of connection {WorkspaceId}/{ConnectionId} ticked; refresh due: {Due}")]
    private static partial void LogReminderTick(ILogger logger, string workspaceId, string connectionId, bool due);
}
