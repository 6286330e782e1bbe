using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ViaSocket.LoadTests;
using ViaSocket.TestProvider;

namespace ViaSocket.Chaos;

/// <summary>
/// What the readers saw. A <em>call</em> is one credential read by an engine, tried up to
/// <see cref="CredentialReaders.MaxAttempts"/> times: <see cref="Ok"/> answered at the first attempt,
/// <see cref="Retried"/> answered after one or more retries, <see cref="Failed"/> never answered.
/// </summary>
internal sealed class ReaderTallies(int timelineSeconds)
{
    private readonly ConcurrentDictionary<string, long> attemptFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> expiredExamples = new();
    private readonly long[] failedAttemptsPerSecond = new long[timelineSeconds];
    private long ok;
    private long retried;
    private long failed;
    private long attempts;
    private long expiredByExpiresAt;
    private long rejectedByProvider;

    public long Ok => Interlocked.Read(ref ok);

    public long Retried => Interlocked.Read(ref retried);

    public long Failed => Interlocked.Read(ref failed);

    public long Attempts => Interlocked.Read(ref attempts);

    /// <summary>Answers whose own <c>expiresAt</c> was not after the moment the reader received them.</summary>
    public long ExpiredByExpiresAt => Interlocked.Read(ref expiredByExpiresAt);

    /// <summary>Answers whose access token the provider did not accept at the moment the reader received it (expired, or its grant revoked).</summary>
    public long RejectedByProvider => Interlocked.Read(ref rejectedByProvider);

    /// <summary>Failed attempts by cause (HTTP status and problem code, or the transport error).</summary>
    public IReadOnlyDictionary<string, long> AttemptFailures => attemptFailures;

    public IReadOnlyCollection<string> ExpiredExamples => expiredExamples;

    public IReadOnlyList<long> FailedAttemptsPerSecond => failedAttemptsPerSecond;

    public void CountCall(int attemptsMade, bool succeeded)
    {
        Interlocked.Add(ref attempts, attemptsMade);
        if (!succeeded)
        {
            Interlocked.Increment(ref failed);
        }
        else if (attemptsMade == 1)
        {
            Interlocked.Increment(ref ok);
        }
        else
        {
            Interlocked.Increment(ref retried);
        }
    }

    public void CountFailedAttempt(string cause, int second)
    {
        attemptFailures.AddOrUpdate(cause, 1, (_, n) => n + 1);
        Interlocked.Increment(ref failedAttemptsPerSecond[Math.Clamp(second, 0, failedAttemptsPerSecond.Length - 1)]);
    }

    public void CountExpired(bool byExpiresAt, bool byProvider, string example)
    {
        if (byExpiresAt)
        {
            Interlocked.Increment(ref expiredByExpiresAt);
        }

        if (byProvider)
        {
            Interlocked.Increment(ref rejectedByProvider);
        }

        if (expiredExamples.Count < 10)
        {
            expiredExamples.Enqueue(example);
        }
    }
}

/// <summary>
/// Engines reading credentials over HTTP through the front-end: each reader picks a random connection, reads its
/// credentials, checks the answer is not expired, and goes again at once. Transient failures are retried.
/// </summary>
internal sealed class CredentialReaders(Uri frontEnd, string apiKey, IReadOnlyList<string> connectionIds, TestAuthorizationServer provider, TimeProvider time)
{
    public const int MaxAttempts = 3;

    /// <summary>Longer than Orleans' 30 s response timeout, so the front-end's own answer is seen rather than ours.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(40);

    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    public long[] SortedLatencyTicks { get; private set; } = [];

    /// <summary>Runs <paramref name="readers"/> readers until <paramref name="cancellationToken"/> fires; seconds are counted from <paramref name="runStart"/>.</summary>
    public async Task RunAsync(int readers, ReaderTallies tallies, long runStart, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = readers,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { BaseAddress = frontEnd, Timeout = AttemptTimeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        var samples = Enumerable.Range(0, readers).Select(_ => new LatencySample()).ToArray();
        await Task.WhenAll(samples.Select((sample, i) => Task.Run(() => ReadLoopAsync(http, new Random(i), sample, tallies, runStart, cancellationToken), CancellationToken.None)));
        SortedLatencyTicks = LatencySample.MergeSorted(samples);
    }

    private async Task ReadLoopAsync(HttpClient http, Random random, LatencySample latency, ReaderTallies tallies, long runStart, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var connectionId = connectionIds[random.Next(connectionIds.Count)];
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                var (succeeded, failure, permanent) = await ReadOnceAsync(http, connectionId, tallies, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (succeeded)
                {
                    latency.Add(Stopwatch.GetTimestamp() - started);
                    tallies.CountCall(attempt, succeeded: true);
                    break;
                }

                tallies.CountFailedAttempt(failure!, (int)Stopwatch.GetElapsedTime(runStart).TotalSeconds);
                if (permanent || attempt == MaxAttempts)
                {
                    tallies.CountCall(attempt, succeeded: false);
                    break;
                }

                try
                {
                    await Task.Delay(RetryDelay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <returns>Whether credentials were served; otherwise the cause and whether retrying is pointless.</returns>
    private async Task<(bool Succeeded, string? Failure, bool Permanent)> ReadOnceAsync(HttpClient http, string connectionId, ReaderTallies tallies, CancellationToken cancellationToken)
    {
        try
        {
            var sentAt = time.GetUtcNow();
            using var response = await http.GetAsync($"/v1/connections/{connectionId}/credentials", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var receivedAt = time.GetUtcNow();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var status = (int)response.StatusCode;
                var permanent = response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                return (false, $"HTTP {status} {BenchConnections.ProblemCode(body) ?? "(no problem code)"}", permanent);
            }

            CheckFreshness(connectionId, JsonNode.Parse(body)!, sentAt, receivedAt, tallies);
            return (true, null, false);
        }
        catch (HttpRequestException exception)
        {
            return (false, $"transport: {exception.HttpRequestError}", false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"no answer within {AttemptTimeout.TotalSeconds:0} s", false);
        }
        catch (OperationCanceledException)
        {
            return (false, "cancelled at the end of the run", true);
        }
    }

    /// <summary>
    /// An expired credential served: the answer's <c>expiresAt</c> is not after the time it was received, or the
    /// provider does not accept its access token at that time.
    /// </summary>
    private void CheckFreshness(string connectionId, JsonNode credentials, DateTimeOffset sentAt, DateTimeOffset receivedAt, ReaderTallies tallies)
    {
        var expiresAt = credentials["expiresAt"]?.GetValue<DateTimeOffset>();
        var byExpiresAt = expiresAt is { } expiry && expiry <= receivedAt;
        var byProvider = BenchConnections.TokenOf(credentials) is not { } token || !provider.IsAccessTokenActive(token);
        if (byExpiresAt || byProvider)
        {
            tallies.CountExpired(byExpiresAt, byProvider, $"{connectionId}: expiresAt {expiresAt:O}, asked {sentAt:O}, received {receivedAt:O}, provider accepts the token: {!byProvider}");
        }
    }
}
