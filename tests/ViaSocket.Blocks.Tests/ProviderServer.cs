using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ViaSocket.Blocks.Tests;

/// <summary>A small provider on 127.0.0.1 (port 0) that blocks call; it records every request it sees.</summary>
public sealed class ProviderServer : IAsyncLifetime
{
    private WebApplication? _app;

    public ConcurrentQueue<string> SeenPaths { get; } = new();

    /// <summary>Authorization headers /echo received: what was sent, whereas a block's result has the secret masked.</summary>
    public ConcurrentQueue<string> SeenAuthorizations { get; } = new();

    public int Port { get; private set; }

    /// <summary>Base URL on 127.0.0.1, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public int CountOf(string path) => SeenPaths.Count(seen => seen == path);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            SeenPaths.Enqueue(context.Request.Path.Value ?? "");
            await next(context);
        });

        app.MapMethods("/echo", ["GET", "POST", "PUT", "PATCH", "DELETE"], async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            SeenAuthorizations.Enqueue(request.Headers.Authorization.ToString());
            return Results.Json(new
            {
                method = request.Method,
                query = request.QueryString.Value ?? "",
                contentType = request.ContentType,
                authorization = request.Headers.Authorization.ToString(),
                custom = request.Headers["X-Custom"].ToString(),
                body,
            });
        });
        app.MapGet("/json", () => Results.Json(new { hello = "world", count = 3 }));
        app.MapGet("/text", () => Results.Text("plain words"));
        app.MapGet("/status/{code:int}", (int code) => Results.Json(new { error = "invalid_grant", code }, statusCode: code));
        app.MapGet("/ratelimited", (HttpResponse response) =>
        {
            response.Headers.RetryAfter = "7";
            return Results.Json(new { error = "slow_down" }, statusCode: 429);
        });
        app.MapGet("/slow", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            return Results.Json(new { late = true });
        });
        app.MapGet("/redirect", () => Results.Redirect("/redirect-target"));
        app.MapGet("/redirect-target", () => Results.Json(new { followed = true }));
        app.MapGet("/large", () => Results.Text(new string('x', 64 * 1024)));
        app.MapGet("/nested/{depth:int}", (int depth) =>
            Results.Text(string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1), "application/json"));
        app.MapGet("/unpaired-surrogate", () => Results.Text("{\"name\":\"\\ud800\"}", "application/json"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        _app = app;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
