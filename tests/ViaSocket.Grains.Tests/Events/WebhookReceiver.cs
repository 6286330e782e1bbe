using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ViaSocket.Grains.Tests.Events;

/// <summary>
/// A webhook receiver on real Kestrel at 127.0.0.1 (random port), written the way a customer would: it checks the
/// signature with its own HMAC-SHA256 over <c>"&lt;timestamp&gt;.&lt;body&gt;"</c> (not with the code under test) and
/// that the timestamp is fresh, records every request, and answers with a status chosen per attempt.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly ConcurrentDictionary<string, int> attemptsByEvent = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app, int port)
    {
        this.app = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>; any path is accepted.</summary>
    public string BaseUrl { get; }

    /// <summary>The secret signatures are checked with.</summary>
    public string? Secret { get; set; }

    /// <summary>The status to answer for the n-th request (1-based) of one event id at one path. Defaults to 204.</summary>
    public Func<int, int> AnswerForAttempt { get; set; } = _ => StatusCodes.Status204NoContent;

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", (HttpRequest request) => receiver!.ReceiveAsync(request));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address).Port);
        return receiver;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the requests received so far.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => Task.FromResult(condition(Received)), timeout);
        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var eventId = request.Headers["X-ViaSocket-Event-Id"].ToString();
        var timestamp = request.Headers["X-ViaSocket-Timestamp"].ToString();
        var signature = request.Headers["X-ViaSocket-Signature"].ToString();
        var attempt = attemptsByEvent.AddOrUpdate(request.Path + "|" + eventId, 1, (_, count) => count + 1);
        var status = AnswerForAttempt(attempt);
        received.Enqueue(new ReceivedWebhook(
            request.Path, eventId, request.ContentType, Encoding.UTF8.GetString(body),
            SignatureMatches(timestamp, body, signature), TimestampIsFresh(timestamp), attempt, status, signature));
        return Results.StatusCode(status);
    }

    private bool SignatureMatches(string timestamp, byte[] body, string header)
    {
        if (Secret is null)
        {
            return false;
        }

        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
        return header.Split(',').Any(candidate => candidate.Trim() == expected);
    }

    private static bool TimestampIsFresh(string timestamp) =>
        long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() <= Tolerance;
}

/// <param name="Attempt">The how-many-th request of this event id at this path (1-based).</param>
/// <param name="Answer">The status the receiver answered with.</param>
/// <param name="SignatureHeader">The <c>X-ViaSocket-Signature</c> value as received.</param>
public sealed record ReceivedWebhook(
    string Path, string EventId, string? ContentType, string Body, bool SignatureValid, bool TimestampFresh, int Attempt, int Answer, string SignatureHeader);

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/> (default 15 s).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The condition did not hold in time.");
            }

            await Task.Delay(25);
        }
    }
}
