using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.LoadTests;

/// <summary>
/// Author drafts whose Test Me block attacks the process that runs it (memory, CPU, regex backtracking, stack), saved
/// as draft versions of one plugin, and a flood of test runs of them through the test-run API of one workspace.
/// </summary>
internal sealed class HostileCorpus(BenchConnections connections)
{
    public const string PluginId = "bench-hostile";

    /// <summary>Version id (also the report's name for the attack) → the Test Me block's code.</summary>
    public static readonly IReadOnlyDictionary<string, string> Blocks = new Dictionary<string, string>
    {
        ["memory-bomb"] = "const s = 'x'.repeat(256 * 1024 * 1024); return { length: s.length };",
        ["memory-growth"] = "const parts = []; for (;;) { parts.push('y'.repeat(1024 * 1024) + parts.length); }",
        ["infinite-loop"] = "while (true) { }",
        ["redos"] = "const pattern = /^(a+)+$/; return { matched: pattern.test('a'.repeat(48) + 'b') };",
        ["deep-recursion"] = "function down(n) { return down(n + 1) + 1; } return down(0);",
    };

    private readonly ConcurrentDictionary<(string Attack, string Outcome), int> outcomes = new();

    /// <summary>Saves one draft version per attack (never published: test runs accept drafts).</summary>
    public async Task SaveDraftsAsync(CancellationToken cancellationToken)
    {
        using var api = connections.Api();
        foreach (var (attack, code) in Blocks)
        {
            var definition = connections.Definition();
            definition["testMe"] = new JsonObject { ["code"] = code };
            await BenchConnections.PutDraftAsync(api, PluginId, attack, definition, cancellationToken);
        }
    }

    /// <summary>Test runs per attack and outcome (<c>ok</c>, a failure's error code, or <c>HTTP nnn</c>) so far.</summary>
    public IReadOnlyDictionary<(string Attack, string Outcome), int> Outcomes => outcomes;

    /// <summary><paramref name="flooders"/> closed loops, each posting test runs of the attacks in turn until cancelled.</summary>
    public Task FloodAsync(int flooders, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, flooders).Select(i => Task.Run(() => FloodOneAsync(i, cancellationToken), CancellationToken.None)));

    private async Task FloodOneAsync(int offset, CancellationToken cancellationToken)
    {
        using var api = connections.Api();

        // A hung run must not outlive the window by much: the service's own block timeout is 10 s.
        api.Timeout = TimeSpan.FromSeconds(30);
        var attacks = Blocks.Keys.ToArray();
        for (var i = offset; !cancellationToken.IsCancellationRequested; i++)
        {
            var attack = attacks[i % attacks.Length];
            string outcome;
            try
            {
                using var response = await api.PostAsJsonAsync(
                    $"/v1/plugins/{PluginId}/auth-versions/{attack}/test-runs", new { block = "testMe", authData = new { } }, cancellationToken);
                outcome = response.IsSuccessStatusCode
                    ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["failure"]?["code"] ?? "ok"
                    : $"HTTP {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                outcome = exception.GetType().Name;
            }

            outcomes.AddOrUpdate((attack, outcome), 1, (_, n) => n + 1);
        }
    }
}
