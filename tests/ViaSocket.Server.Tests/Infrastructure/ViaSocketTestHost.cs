using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>
/// The real service (silo + front-end) on 127.0.0.1 with its own free ports, against a given PostgreSQL database.
/// Two hosts started one after the other on the same database and cluster id are the same service restarted.
/// </summary>
public sealed class ViaSocketTestHost : IAsyncDisposable
{
    private ViaSocketTestHost(WebApplication app, Uri baseAddress, ApiKey apiKey, CapturedLogs logs)
    {
        App = app;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        Logs = logs;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>The bootstrap key of workspace <c>default</c>, with every scope.</summary>
    public ApiKey ApiKey { get; }

    /// <summary>Everything the service logged, for asserting that secrets never appear.</summary>
    public CapturedLogs Logs { get; }

    public Uri CallbackUrl => new(BaseAddress, "/oauth/callback");

    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    /// <param name="apiKey">The bootstrap key; a new one when null.</param>
    /// <param name="keyDirectory">The master-key folder for encryption at rest; a new one when null. Restarts pass the same.</param>
    public static async Task<ViaSocketTestHost> StartAsync(
        string connectionString, ApiKey? apiKey = null, Action<WebApplicationBuilder>? configure = null, string? keyDirectory = null)
    {
        var key = apiKey ?? ApiKey.Generate();
        var httpPort = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        var logs = new CapturedLogs();
        var app = await ViaSocketApplication.BuildAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Urls"] = baseAddress.ToString().TrimEnd('/'),
                ["ViaSocket:PublicBaseUrl"] = baseAddress.ToString().TrimEnd('/'),
                ["ViaSocket:Database:ConnectionString"] = connectionString,
                ["ViaSocket:Cluster:SiloPort"] = FreePort().ToString(),
                ["ViaSocket:Cluster:GatewayPort"] = FreePort().ToString(),
                ["ViaSocket:Bootstrap:ApiKey"] = key.Reveal(),
                ["ViaSocket:Outbound:AllowLoopback"] = "true",
                ["ViaSocket:Encryption:KeyDirectory"] = keyDirectory ?? NewKeyDirectory(),
                ["ViaSocket:Bootstrap:AllowedReturnUrlHosts:0"] = new Uri(ConnectFlow.ReturnUrl).Host,
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start that is refused (a test of start-up rules) leaves nothing running behind it.
            await app.DisposeAsync();
            throw;
        }

        return new ViaSocketTestHost(app, baseAddress, key, logs);
    }

    /// <summary>A client for the API with a key (the bootstrap key unless another is given); never follows redirects.</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? ApiKey.Reveal());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public static string NewKeyDirectory() => Path.Combine(Path.GetTempPath(), $"viasocket-keys-{Guid.NewGuid():N}");

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
