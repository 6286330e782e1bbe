using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// A refresh sent whose answer never arrived (lost on the network, or its silo died before storing it), for a version
/// that declares the provider's refresh-token reuse grace (<see cref="ReuseGrace"/>): replayed at once inside it, the
/// connection needing reauthorization after it.
/// </summary>
internal sealed partial class ConnectionGrain
{
    /// <summary>Sends the Refresh Token API request; returns its result and when it was sent.</summary>
    private async Task<(BlockRunResult Result, DateTimeOffset SentAt)> SendRefreshAsync(CompiledAuthVersion version, JsonObject authData, OAuthApp? app)
    {
        var sentAt = time.GetUtcNow();
        metrics.RefreshSent();
        var result = await RunBlockAsync(version, BlockKinds.RefreshToken, ConnectionContext.Create(version, authData, S.RedirectUri, null, scopes: S.RequestedScopes, app: app));
        return (result, sentAt);
    }

    /// <summary>Remembers the refresh of a void claim of another activation as interrupted, when the version declares a grace.</summary>
    private void NoteInterruptedRefresh(CompiledAuthVersion version, DateTimeOffset? sentAt)
    {
        if (sentAt is { } at && version.Definition.RefreshTokenPolicy?.ReuseGraceSeconds is not null && S.RefreshInterruptedAt is null)
        {
            S.RefreshInterruptedAt = at;
            LogInterruptedRefreshFound(logger, WorkspaceId, ConnectionId, at);
        }
    }

    /// <summary>
    /// Whether <paramref name="failure"/> may have reached the provider without its answer reaching us (a timeout, or
    /// a connection lost after sending) for a version that declares a grace; if so the refresh counts as interrupted.
    /// A failure to connect sent nothing, so the stored token is as good as before.
    /// </summary>
    private bool AnswerLost(CompiledAuthVersion version, BlockFailure failure, DateTimeOffset sentAt)
    {
        var lost = failure.Kind is BlockFailureKind.Timeout || (failure.Kind is BlockFailureKind.Network && failure.Code != BlockErrorCodes.Unreachable);
        if (!lost || version.Definition.RefreshTokenPolicy?.ReuseGraceSeconds is null)
        {
            return false;
        }

        S.RefreshInterruptedAt ??= sentAt;
        return true;
    }

    private InterruptedRefreshVerdict InterruptedVerdict(CompiledAuthVersion version, DateTimeOffset now) =>
        ReuseGrace.Judge(S.RefreshInterruptedAt, version.Definition.RefreshTokenPolicy?.ReuseGraceSeconds, now);

    /// <summary>The grace is over: the provider may have rotated the token, so presenting it again would only be refused (or taken for theft).</summary>
    private Task<CredentialsResult> RefreshInterruptedAsync(RefreshTrigger trigger, DateTimeOffset now) =>
        RequireReauthAsync(
            trigger, ConnectionErrorCodes.RefreshInterrupted, null,
            new ConnectionError(ConnectionErrorCodes.ReauthRequired, "A refresh was sent and its answer lost, and the provider's refresh-token reuse grace is over; the user must reconnect."),
            now);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {WorkspaceId}/{ConnectionId} found a refresh sent at {SentAt} by another activation that never stored its answer")]
    private static partial void LogInterruptedRefreshFound(ILogger logger, string workspaceId, string connectionId, DateTimeOffset sentAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The refresh answer of connection {WorkspaceId}/{ConnectionId} was lost; asking again with the same refresh token inside the provider's reuse grace")]
    private static partial void LogReplayingRefresh(ILogger logger, string workspaceId, string connectionId);
}
