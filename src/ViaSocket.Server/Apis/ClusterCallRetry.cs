using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Grains.Storage;

namespace ViaSocket.Server.Apis;

/// <summary>Failures of a grain call that mean "the silo it went to is gone or unreachable", not "the call failed".</summary>
internal static class ClusterFailures
{
    public const string Unavailable = "cluster.unavailable";
    public const string StorageUnavailable = "storage.unavailable";

    /// <summary>
    /// Includes <see cref="OperationCanceledException"/>: a grain call whose message expired before the cluster could
    /// place its grain (while a dead silo's directory partition is rebuilt, or on an overloaded silo) ends in one. The
    /// caller rules out the cancellation of its own request first.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Retries work whose grain call failed because a silo died or was unreachable. Until the cluster declares a killed
/// silo dead (a few seconds), calls to the grains it hosted fail fast; once it does, the same call activates them on a
/// survivor. One request has one budget (<c>GrainCallRetryBudget</c>), shared by everything in it that retries: the
/// API key's verification and the endpoint.
/// </summary>
internal sealed partial class ClusterCallRetry(IOptions<ServerOptions> options, ViaSocketMetrics metrics, ILogger<ClusterCallRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);
    private static readonly object StartedKey = new();

    /// <param name="state">What <paramref name="call"/> needs, so the path without failures allocates no closure.</param>
    /// <param name="beforeRetry">Runs before each repeat (a handler that read the body must find it again).</param>
    public async ValueTask<T> RunAsync<TState, T>(HttpContext http, TState state, Func<TState, ValueTask<T>> call, Action<TState>? beforeRetry = null)
    {
        // Real time on purpose: the wait is for a real cluster to notice a dead silo, whatever clock the service runs on.
        var entered = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call(state);
            }
            catch (Exception exception) when (ClusterFailures.IsTransient(exception)
                && !http.Response.HasStarted
                && !http.RequestAborted.IsCancellationRequested
                && Stopwatch.GetElapsedTime(BudgetStart(http, entered)) + delay < options.Value.Cluster.GrainCallRetryBudget)
            {
                metrics.GrainCallRetried(abandoned: false);
                LogRetrying(logger, http.Request.Method, http.GetEndpoint()?.DisplayName ?? "unknown", exception.GetType().Name, delay.TotalMilliseconds);
                await Task.Delay(delay, http.RequestAborted);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                beforeRetry?.Invoke(state);
            }
        }
    }

    /// <summary>
    /// When the request's budget started: when the first part of it that failed had begun. Kept on the request only once
    /// something failed, so a request without failures writes nothing there.
    /// </summary>
    private static long BudgetStart(HttpContext http, long entered)
    {
        if (http.Items.TryGetValue(StartedKey, out var value) && value is long earlier && earlier <= entered)
        {
            return earlier;
        }

        http.Items[StartedKey] = entered;
        return entered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Endpoint}: a silo was unreachable ({ErrorType}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string method, string endpoint, string errorType, double delayMs);
}

/// <summary>
/// Retries an API request whose grain call failed because a silo died or was unreachable. Every API operation tolerates
/// a repeat (reads; refresh and disconnect are idempotent; a repeated start makes a fresh attempt), so the caller gets an
/// answer instead of a 500.
/// </summary>
internal sealed class ClusterCallRetryFilter(ClusterCallRetry retry) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            // A handler that reads the body itself must find it again on the retry.
            http.Request.EnableBuffering();
        }

        return retry.RunAsync(http, (Next: next, Context: context), static s => s.Next(s.Context), static s => Rewind(s.Context.HttpContext.Request));
    }

    private static void Rewind(HttpRequest request)
    {
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
        }
    }
}

/// <summary>
/// A silo failure that outlasted the retries (or happened outside an API endpoint), or a database failure under a grain
/// call, is a 503, not a 500. Database failures are not retried here: a struggling database needs less load, not more.
/// </summary>
internal sealed partial class ClusterUnavailableExceptionHandler(ViaSocketMetrics metrics, ILogger<ClusterUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // A grain that failed to activate (state unreadable) fails before any call filter runs: its exception is the driver's.
        var storage = StorageFailures.Describe(exception);
        if (storage is null && (!ClusterFailures.IsTransient(exception) || httpContext.RequestAborted.IsCancellationRequested))
        {
            return false;
        }

        if (storage is null)
        {
            metrics.GrainCallRetried(abandoned: true);
        }

        LogUnavailable(logger, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        await Results.Problem(storage is null
            ? Problems.Create(StatusCodes.Status503ServiceUnavailable, ClusterFailures.Unavailable, "The cluster could not reach the silo that holds this object; try again shortly.")
            : Problems.Create(StatusCodes.Status503ServiceUnavailable, ClusterFailures.StorageUnavailable, storage)).ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A request failed because a silo stayed unreachable or the database failed ({ErrorType})")]
    private static partial void LogUnavailable(ILogger logger, string errorType);
}
