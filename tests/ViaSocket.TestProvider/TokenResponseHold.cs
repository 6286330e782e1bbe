namespace ViaSocket.TestProvider;

/// <summary>
/// Holds one token response after its tokens are issued and before it is written: the time a slow network or a busy
/// client adds before the tokens are read, during which they already age at the provider. With <see cref="Drops"/>,
/// the connection is then cut instead of answered: the tokens (a rotated refresh token among them) are lost.
/// </summary>
public sealed class TokenResponseHold(bool drops = false)
{
    /// <summary>The status <see cref="TestAuthorizationServer.RefreshGrantLog"/> records for a dropped response: nginx's "no response".</summary>
    public const int DroppedStatus = 444;

    /// <summary>On release, the response is dropped (the connection aborted) rather than written.</summary>
    public bool Drops => drops;

    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the tokens are issued and the response is being held.</summary>
    public Task Reached => reached.Task;

    public void Release() => released.TrySetResult();

    internal async Task HoldAsync(CancellationToken cancellationToken)
    {
        reached.TrySetResult();
        await released.Task.WaitAsync(cancellationToken);
    }
}
