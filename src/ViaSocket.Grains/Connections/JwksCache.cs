using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// The providers' JSON Web Key Sets, fetched through the SSRF-guarded client and kept per URL for <see cref="Lifetime"/>.
/// A token naming a key the set lacks may mean the provider rotated: <see cref="RefetchAsync"/> asks again, at most once
/// per <see cref="MinRefetchInterval"/>, so tokens with forged key ids cannot make the silo hammer the provider.
/// </summary>
internal sealed partial class JwksCache(OutboundHttpClient http, TimeProvider time, ILogger<JwksCache> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MinRefetchInterval = TimeSpan.FromSeconds(30);

    /// <summary>A key set is a few keys: far below the outbound client's cap.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);

    /// <summary>The cached key set, fetched when absent or older than <see cref="Lifetime"/>.</summary>
    /// <exception cref="JwksUnavailableException">The key set could not be fetched or read.</exception>
    public Task<JsonWebKeySet> GetAsync(string url, CancellationToken cancellationToken = default) =>
        FetchAsync(url, entry => time.GetUtcNow() - entry.FetchedAt < Lifetime, cancellationToken);

    /// <summary>
    /// A fresh key set, unless the cached one was fetched less than <see cref="MinRefetchInterval"/> ago: then the cached
    /// one, which a concurrent refetch may already have renewed.
    /// </summary>
    /// <exception cref="JwksUnavailableException">The key set could not be fetched or read.</exception>
    public Task<JsonWebKeySet> RefetchAsync(string url, CancellationToken cancellationToken = default) =>
        FetchAsync(url, entry => time.GetUtcNow() - entry.FetchedAt < MinRefetchInterval, cancellationToken);

    private async Task<JsonWebKeySet> FetchAsync(string url, Func<Entry, bool> cachedSuffices, CancellationToken cancellationToken)
    {
        if (entries.TryGetValue(url, out var cached) && cachedSuffices(cached))
        {
            return cached.Keys;
        }

        var gate = gates.GetOrAdd(url, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the gate may have fetched it meanwhile.
            if (entries.TryGetValue(url, out cached) && cachedSuffices(cached))
            {
                return cached.Keys;
            }

            var keys = await DownloadAsync(url, cancellationToken);
            entries[url] = new Entry(keys, time.GetUtcNow());
            return keys;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<JsonWebKeySet> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        OutboundResponse response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/json");
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (OutboundRequestException exception)
        {
            LogFetchFailed(logger, exception.Kind.ToString());
            throw new JwksUnavailableException();
        }

        if (!response.IsSuccessStatusCode || response.Body.Length > MaxBytes)
        {
            LogFetchFailed(logger, response.IsSuccessStatusCode ? "too large" : $"HTTP {response.StatusCode}");
            throw new JwksUnavailableException();
        }

        try
        {
            return new JsonWebKeySet(System.Text.Encoding.UTF8.GetString(response.Body));
        }
        catch (Exception exception) when (exception is ArgumentException or System.Text.Json.JsonException)
        {
            LogFetchFailed(logger, "not a key set");
            throw new JwksUnavailableException();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A provider's JSON Web Key Set could not be fetched: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string reason);

    private sealed record Entry(JsonWebKeySet Keys, DateTimeOffset FetchedAt);
}

/// <summary>A provider's key set could not be fetched or read; the reason is logged, not carried.</summary>
internal sealed class JwksUnavailableException() : Exception("The provider's JSON Web Key Set is unavailable.");
