using Microsoft.Extensions.Logging;
using ViaSocket.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>The durable reminder that wakes the connection when its next refresh (or retry) is due.</summary>
internal sealed partial class ConnectionGrain
{
    public const string RefreshReminderName = "refresh";

    // Reminder periods cannot be shorter than a minute; the due time carries the precision, the period is only the
    // safety net that re-fires if a tick was lost.
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RefreshReminderName)
        {
            return;
        }

        if (S.Status is not (ConnectionStatus.Active or ConnectionStatus.Degraded) || S.RefreshAt is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var due = IsRefreshDue(time.GetUtcNow());
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

    /// <summary>Registers the durable reminder due at the next refresh (or retry) time; unregisters when none is due.</summary>
    private async Task ScheduleRefreshAsync()
    {
        var dueAt = NextRefreshAt();
        if (dueAt is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var dueIn = dueAt.Value - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(RefreshReminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, ReminderPeriod);
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
