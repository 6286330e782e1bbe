namespace ViaSocket.TestProvider;

/// <summary>A failure the token endpoint answers instead of doing its job.</summary>
/// <param name="FormBody">The error body form-encoded (as GitHub answers) instead of JSON.</param>
internal sealed record InjectedFailure(int StatusCode, TimeSpan? RetryAfter, string Error, bool FormBody = false);

/// <summary>Fault switches for the token endpoint; tests flip them from other threads while requests are in flight.</summary>
internal sealed class TokenEndpointFaults
{
    private readonly Lock gate = new();
    private TimeSpan delay;
    private int? outageStatus;
    private InjectedFailure? nextFailure;
    private int remainingFailures;
    private (string ClientId, TokenResponseHold Hold)? issuedHold;

    public TimeSpan Delay
    {
        get { lock (gate) { return delay; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (gate) { delay = value; }
        }
    }

    public int? OutageStatus
    {
        get { lock (gate) { return outageStatus; } }
        set
        {
            if (value is { } status)
            {
                ThrowIfNotErrorStatus(status);
            }

            lock (gate) { outageStatus = value; }
        }
    }

    public void FailNext(int count, int status, TimeSpan? retryAfter, string? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfNotErrorStatus(status);
        lock (gate)
        {
            remainingFailures = count;
            nextFailure = new InjectedFailure(status, retryAfter, error ?? OAuthWire.Errors.TemporarilyUnavailable);
        }
    }

    /// <summary>The next <paramref name="count"/> token requests are refused with HTTP 200 and an error body, as Slack, GitHub and Reddit do.</summary>
    public void RefuseNextWithOk(int count, string error, bool formBody)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (gate)
        {
            remainingFailures = count;
            nextFailure = new InjectedFailure(200, null, error, formBody);
        }
    }

    /// <summary>Consumes one queued failure, if any remain.</summary>
    public InjectedFailure? TakeFailure()
    {
        lock (gate)
        {
            if (remainingFailures == 0)
            {
                return null;
            }

            remainingFailures--;
            return nextFailure;
        }
    }

    public void HoldNextIssued(string clientId, TokenResponseHold hold)
    {
        lock (gate) { issuedHold = (clientId, hold); }
    }

    /// <summary>Consumes the hold for the next response that carries tokens to <paramref name="clientId"/>, if one is set.</summary>
    public TokenResponseHold? TakeIssuedHold(string clientId)
    {
        lock (gate)
        {
            if (issuedHold is not { } held || held.ClientId != clientId)
            {
                return null;
            }

            issuedHold = null;
            return held.Hold;
        }
    }

    private static void ThrowIfNotErrorStatus(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
    }
}
