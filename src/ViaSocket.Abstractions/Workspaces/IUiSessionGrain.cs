namespace ViaSocket.Workspaces;

/// <summary>
/// One sign-in to the operator UI (key: the random session id carried in the protected cookie). The cookie is honoured
/// only while this grain says the session is active, so signing out ends it everywhere, copies of the cookie included.
/// </summary>
public interface IUiSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session, to expire at most <see cref="UiSessions.Lifetime"/> from now (expired records are purged by age).</summary>
    Task StartAsync(DateTimeOffset expiresAt);

    /// <summary>True between <see cref="StartAsync"/> and <see cref="EndAsync"/>, until the session expires.</summary>
    Task<bool> IsActiveAsync();

    /// <summary>Ends the session for good (its stored record is deleted).</summary>
    Task EndAsync();
}

public static class UiSessions
{
    /// <summary>The longest a UI session lasts, even if the browser keeps its cookie.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
}
