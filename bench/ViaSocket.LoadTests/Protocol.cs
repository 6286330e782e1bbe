using System.Text.Json;

namespace ViaSocket.LoadTests;

/// <summary>The lines the child processes print on stdout for the orchestrator: a prefix, then one JSON object.</summary>
internal static class Protocol
{
    public const string ReadyPrefix = "VIASOCKET-BENCH-READY ";
    public const string ResultPrefix = "VIASOCKET-BENCH-RESULT ";

    /// <summary>Carries the bench API key to <c>load</c> children, out of their command lines.</summary>
    public const string ApiKeyVariable = "VIASOCKET_BENCH_API_KEY";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Line<T>(string prefix, T value) => prefix + JsonSerializer.Serialize(value, Json);

    public static T Parse<T>(string line, string prefix) =>
        JsonSerializer.Deserialize<T>(line[prefix.Length..], Json) ?? throw new InvalidDataException($"Empty '{prefix.Trim()}' line.");
}

/// <summary>What <c>serve</c> prints once the service and its connections are ready.</summary>
/// <param name="ApiKey">A key made for this run only, for the throwaway database the service runs on.</param>
internal sealed record ServeReady(string BaseUrl, string ApiKey, IReadOnlyList<string> ConnectionIds, int ProcessId);
