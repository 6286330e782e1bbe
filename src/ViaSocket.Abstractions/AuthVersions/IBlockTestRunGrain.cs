
namespace ViaSocket.AuthVersions;

/// <summary>
/// Runs one API block of a draft or published version with sample data, for authors debugging a definition
/// (key: the workspace id). A stateless worker, so slow test runs never hold up the version grain.
/// </summary>
public interface IBlockTestRunGrain : IGrainWithStringKey
{
    Task<BlockTestRunResult> RunAsync(BlockTestRun request);
}

/// <param name="BlockKind"><c>accessToken</c>, <c>refreshToken</c>, <c>revokeToken</c> or <c>testMe</c>.</param>
/// <param name="AuthDataJson">Sample <c>context.authData</c> as a JSON object.</param>
/// <param name="InputDataJson">Sample <c>context.inputData</c>, or null.</param>
/// <param name="CodeVerifier">Sample <c>context.codeVerifier</c>, for trying an Access Token block with a real code.</param>
[GenerateSerializer, Immutable]
public sealed record BlockTestRun(string PluginId, string VersionId, string BlockKind, string AuthDataJson, string? InputDataJson, string? CodeVerifier, string RedirectUri);

/// <param name="ResultJson">What the block returned, as JSON; null when it failed.</param>
[GenerateSerializer, Immutable]
public sealed record BlockTestRunResult(
    string? ResultJson,
    BlockTestFailure? Failure,
    IReadOnlyList<BlockTestConsoleLine> Console,
    IReadOnlyList<BlockTestHttpCall> Http,
    double DurationMs);

/// <param name="Kind">The block failure kind (HttpStatus, Network, Timeout, Script, LimitExceeded, Refused), or <c>Request</c> when the test run itself was refused (unknown version or block, bad sample).</param>
[GenerateSerializer, Immutable]
public sealed record BlockTestFailure(string Code, string Kind, string Message, int? HttpStatus, string? ResponseDataJson);

[GenerateSerializer, Immutable]
public sealed record BlockTestConsoleLine(string Level, string Message);

/// <summary>One outbound call of the run; the URL's query values are redacted.</summary>
[GenerateSerializer, Immutable]
public sealed record BlockTestHttpCall(string Method, string Url, int? Status, double DurationMs, string? Error);
