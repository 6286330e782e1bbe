using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Deployment;

/// <summary>
/// A node started as <c>run.sh</c> starts it keeps everything in its data directory: stopped and copied, the copy
/// alone serves the same connections, their tokens decrypted with the master key that travelled with it.
/// </summary>
public sealed class DataDirectoryBackupTests
{
    [Fact]
    public async Task A_stopped_nodes_data_directory_copied_to_a_new_folder_serves_the_same_credentials()
    {
        var original = NewFolder("original");
        var restored = NewFolder("restored");
        await using var provider = await TestAuthorizationServer.StartAsync();
        var publicBaseUrl = new Uri("http://127.0.0.1:1/");
        provider.RegisterClient(ProviderDefinitions.Client(new Uri(publicBaseUrl, "/oauth/callback")) with { AccessTokenLifetime = TimeSpan.FromHours(1) });
        try
        {
            string connectionId, apiKey, before;
            await using (var node = await SiloProcess.StartWithDataDirectoryAsync(original, publicBaseUrl))
            {
                Assert.Equal(["bootstrap-api-key", "master-keys", "postgres"], Directory.EnumerateFileSystemEntries(original).Select(Path.GetFileName).Order());
                apiKey = (await File.ReadAllTextAsync(Path.Combine(original, "bootstrap-api-key"))).Trim();
                using var api = Api(node, apiKey);
                connectionId = await TwoSilos.ConnectThroughAsync(api, provider, node.BaseAddress, ProviderDefinitions.JavaScript(provider));
                before = await AuthorizationAsync(api, connectionId);
                AssertQuietStart(node.Output, original);
                Assert.True(await node.TerminateAsync(TimeSpan.FromSeconds(60)), "the node did not stop within 60 s of SIGTERM");
            }

            // The documented backup: stop, copy with owners and modes (the database folder belongs to its own account).
            await CopyAsync(original, restored);
            Directory.Delete(original, recursive: true);

            await using (var node = await SiloProcess.StartWithDataDirectoryAsync(restored, publicBaseUrl))
            {
                using var api = Api(node, apiKey);
                Assert.Equal(before, await AuthorizationAsync(api, connectionId));
                Assert.True(provider.IsAccessTokenActive(before["Bearer ".Length..]));
            }
        }
        finally
        {
            foreach (var folder in new[] { original, restored })
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }

    /// <summary>At the default level the start says where things are in one line, without Orleans' option dumps.</summary>
    private static void AssertQuietStart(IReadOnlyList<string> log, string dataDirectory)
    {
        var ready = Assert.Single(log, line => line.Contains("ViaSocket.Startup", StringComparison.Ordinal));
        Assert.Contains($"data directory {dataDirectory};", ready, StringComparison.Ordinal);
        Assert.Contains($"bootstrap API key in {Path.Combine(dataDirectory, "bootstrap-api-key")}", ready, StringComparison.Ordinal);
        Assert.Contains("/ui/login", ready, StringComparison.Ordinal);
        Assert.DoesNotContain(log, line => line.Contains("SiloOptionsLogger", StringComparison.Ordinal) || line.Contains("Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
    }

    private static string NewFolder(string name) => Path.Combine(Path.GetTempPath(), $"viasocket-data-{name}-{Guid.NewGuid():N}");

    private static HttpClient Api(SiloProcess node, string apiKey)
    {
        var api = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return api;
    }

    private static async Task<string> AuthorizationAsync(HttpClient api, string connectionId) =>
        (string)JsonNode.Parse(await api.GetStringAsync($"/v1/connections/{connectionId}/credentials"))!["headers"]!["Authorization"]!;

    private static async Task CopyAsync(string from, string to)
    {
        using var copy = Process.Start("cp", ["-a", from, to]) ?? throw new InvalidOperationException("cp did not start.");
        await copy.WaitForExitAsync();
        Assert.Equal(0, copy.ExitCode);
    }
}
