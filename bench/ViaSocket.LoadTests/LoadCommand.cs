using System.Net;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>load</c>: a closed-loop HTTP GET load against <c>--base-url</c> (loopback only), round-robin over <c>--paths</c>
/// (comma-separated), with <c>--concurrency</c> workers on as many TCP connections, for <c>--warmup</c> then
/// <c>--duration</c> seconds. Sends the API key from <see cref="Protocol.ApiKeyVariable"/> when it is set. Prints one
/// <see cref="Measurement"/> line.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(CommandArguments args)
    {
        var baseUrl = new Uri(args.Required("base-url"));
        if (!IPAddress.TryParse(baseUrl.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("The load generator only targets a loopback IP address, e.g. http://127.0.0.1:5080.");
        }

        var targets = args.Required("paths").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(path => new Uri(baseUrl, path))
            .ToArray();
        var concurrency = args.Int("concurrency", 64);
        var apiKey = Environment.GetEnvironmentVariable(Protocol.ApiKeyVariable);
        var authorization = string.IsNullOrEmpty(apiKey) ? null : "Bearer " + apiKey;

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var invoker = new HttpMessageInvoker(handler);

        Operation CreateWorker(int worker)
        {
            var buffer = new byte[16 * 1024];
            var next = worker;
            return async cancellationToken =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, targets[next++ % targets.Length]);
                if (authorization is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                using var response = await invoker.SendAsync(request, cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                while (await body.ReadAsync(buffer, cancellationToken) > 0)
                {
                }

                return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
            };
        }

        var measurement = await ClosedLoop.RunAsync(
            args.String("label", baseUrl.ToString()),
            concurrency,
            args.Seconds("warmup", 3),
            args.Seconds("duration", 10),
            CreateWorker,
            new CpuMeter(args.OptionalInt("server-pid")));
        Console.Out.WriteLine(Protocol.Line(Protocol.ResultPrefix, measurement));
        return 0;
    }
}
