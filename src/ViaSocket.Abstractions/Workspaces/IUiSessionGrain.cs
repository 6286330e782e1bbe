namespace ViaSocket.Workspaces;

/// <summary>
/// One sign-in to the operator UI (key: the random session id carried in the protected cookie). The cookie is honoured
/// only while this grain says the session is active, so signing out ends it everywhere, copies of the cookie included.
/// </summary>
public interface IUiSessionGrain : IGrainWithStringKey
{
    Task StartAsync(DateTimeOffset expiresAt);

    /// <summary>True between <see cref="StartAsync"/> and <see cref="EndAsync"/>, until the session expires.</summary>
    Task<bool> IsActiveAsync();

    /// <summary>Ends the session for good (its stored record is deleted).</summary>
    Task EndAsync();
}
