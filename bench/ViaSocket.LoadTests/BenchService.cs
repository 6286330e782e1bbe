using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ViaSocket.Server;
using ViaSocket.Server.Security;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.LoadTests;

/// <summary>
/// The real service (silo + front-end, throwaway PostgreSQL) on 127.0.0.1 with a <c>GET /hello</c> baseline endpoint
/// and the DB-per-request <see cref="BaselineCredentials"/> endpoint in the same pipeline, a loopback OAuth provider,
/// and <see cref="ConnectionIds"/> active connections to read.
/// </summary>
internal sealed class BenchService : IAsyncDisposable
{
    /// <summary>The hello-world endpoint: the same Kestrel, middleware and process as the API, with no work behind it.</summary>
    public const string HelloPath = "/hello";

    /// <summary>The workspace of the bootstrap key; connection grain keys start with it.</summary>
    public const string WorkspaceId = "default";

    private readonly string masterKeyDirectory;

    private BenchService(WebApplication app, TestAuthorizationServer provider, string masterKeyDirectory, Uri baseAddress, ApiKey apiKey, IReadOnlyList<string> connectionIds)
    {
        App = app;
        Provider = provider;
        this.masterKeyDirectory = masterKeyDirectory;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        ConnectionIds = connectionIds;
    }

    public WebApplication App { get; }

    /// <summary>The loopback OAuth provider the bench auth version talks to.</summary>
    public TestAuthorizationServer Provider { get; }

    /// <summary>The exact redirect URI registered at the provider (what the service sends as <c>redirect_uri</c>).</summary>
    public Uri CallbackUrl => new(BaseAddress, "/oauth/callback");

    public Uri BaseAddress { get; }

    public ApiKey ApiKey { get; }

    public IReadOnlyList<string> ConnectionIds { get; }

    /// <param name="connectionCount">Connections created through the HTTP OAuth flow before returning.</param>
    /// <param name="settings">Extra configuration, e.g. <c>ViaSocket:Refresh:MaxConcurrentPerVersion</c>.</param>
    /// <param name="refreshMarginSeconds">The bench version's <c>tokenExpiry.refreshMarginSeconds</c>; null keeps the default.</param>
    /// <param name="javaScriptRefresh">The bench version refreshes with a JavaScript block (see <see cref="BenchConnections"/>).</param>
    public static async Task<BenchService> StartAsync(
        int connectionCount, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null, int? refreshMarginSeconds = null,
        bool javaScriptRefresh = false)
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync(cancellationToken);
        var provider = await TestAuthorizationServer.StartAsync();

        // Grain state is encrypted at rest; this run's master key lives as long as its throwaway database.
        var masterKeyDirectory = Path.Combine(Path.GetTempPath(), $"viasocket-bench-keys-{Guid.NewGuid():N}");
        try
        {
            var apiKey = ApiKey.Generate();
            var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
            var configuration = new Dictionary<string, string?>
            {
                ["Urls"] = baseAddress.ToString().TrimEnd('/'),
                ["ViaSocket:PublicBaseUrl"] = baseAddress.ToString().TrimEnd('/'),
                ["ViaSocket:Database:ConnectionString"] = connectionString,
                ["ViaSocket:Cluster:SiloPort"] = FreePort().ToString(),
                ["ViaSocket:Cluster:GatewayPort"] = FreePort().ToString(),
                ["ViaSocket:Bootstrap:ApiKey"] = apiKey.Reveal(),
                ["ViaSocket:Outbound:AllowLoopback"] = "true",
                ["ViaSocket:Encryption:KeyDirectory"] = masterKeyDirectory,
                ["ViaSocket:Bootstrap:AllowedReturnUrlHosts:0"] = BenchConnections.ReturnUrl.Host,
                // A production-like level: nothing is logged per request, by either endpoint.
                ["Logging:LogLevel:Default"] = "Warning",
                // Stdout carries the ready line the orchestrator parses; logs go to stderr.
                ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                configuration[key] = value;
            }

            var app = await ViaSocketApplication.BuildAsync([], builder => builder.Configuration.AddInMemoryCollection(configuration));
            app.MapGet(HelloPath, () => "hello").AllowAnonymous();
            BaselineCredentials.Map(app);
            await app.StartAsync(cancellationToken);

            try
            {
                provider.RegisterClient(BenchConnections.Client(new Uri(baseAddress, "/oauth/callback")));
                var connections = new BenchConnections(baseAddress, apiKey, provider, refreshMarginSeconds, javaScriptRefresh);
                var ids = await connections.CreateAsync(connectionCount, parallelism: 1, cancellationToken);
                return new BenchService(app, provider, masterKeyDirectory, baseAddress, apiKey, ids);
            }
            catch
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await provider.DisposeAsync();
            DeleteDirectory(masterKeyDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Provider.DisposeAsync();
        DeleteDirectory(masterKeyDirectory);
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
