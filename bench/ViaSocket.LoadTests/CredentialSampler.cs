using System.Net.Http.Headers;
using System.Text.Json;

namespace ViaSocket.LoadTests;

/// <summary>
/// Readers during the storm: GET the real credentials endpoint for random connections, as engines do, and count every
/// answer whose token had expired when it was asked for or that the provider no longer accepts when it arrives.
/// </summary>
internal sealed class CredentialSampler(BenchService service, IReadOnlyList<string> ids, TimeProvider time) : IDisposable
{
    private readonly HttpClient client = CreateClient(service);
    private long ok;
    private long errors;
    private long expiredAtRequest;
    private long rejectedByProvider;
    private string? firstError;
    private readonly List<double> answerSeconds = [];

    /// <param name="period">At most one read per period (a slow answer delays the next read, it does not queue reads).</param>
    public async Task RunAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(period, time);
        while (await StormCommand.WaitAsync(pace, cancellationToken))
        {
            var id = ids[Random.Shared.Next(ids.Count)];
            var askedAt = time.GetUtcNow();
            var started = time.GetTimestamp();
            try
            {
                using var response = await client.GetAsync($"/v1/connections/{id}/credentials", cancellationToken);
                lock (answerSeconds)
                {
                    answerSeconds.Add(time.GetElapsedTime(started).TotalSeconds);
                }

                if (!response.IsSuccessStatusCode)
                {
                    Failed($"HTTP {(int)response.StatusCode}");
                    continue;
                }

                using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
                var token = body.RootElement.GetProperty("headers").GetProperty("Authorization").GetString()!["Bearer ".Length..];
                var expiresAt = body.RootElement.GetProperty("expiresAt").GetDateTimeOffset();
                if (expiresAt <= askedAt)
                {
                    Interlocked.Increment(ref expiredAtRequest);
                }
                else if (!service.Provider.IsAccessTokenActive(token))
                {
                    Interlocked.Increment(ref rejectedByProvider);
                }
                else
                {
                    Interlocked.Increment(ref ok);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or KeyNotFoundException)
            {
                Failed(exception.GetType().Name);
            }
        }
    }

    public void Dispose() => client.Dispose();

    public ReaderResult Result(int readers)
    {
        lock (answerSeconds)
        {
            return new(readers, ok, errors, expiredAtRequest, rejectedByProvider, firstError, Percentiles.Of(answerSeconds));
        }
    }

    private void Failed(string error)
    {
        Interlocked.Increment(ref errors);
        Interlocked.CompareExchange(ref firstError, error, null);
    }

    private static HttpClient CreateClient(BenchService service)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { BaseAddress = service.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.ApiKey.Reveal());
        return client;
    }
}
