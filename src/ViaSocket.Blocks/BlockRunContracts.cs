using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks;

/// <summary>Runs one API block (JavaScript or declarative request) against a context.</summary>
public interface IBlockRunner
{
    /// <summary>
    /// Runs <paramref name="request"/>. Never throws for failures of the block itself (script errors,
    /// HTTP errors, limits): those come back as <see cref="BlockRunResult.Failure"/>.
    /// </summary>
    Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken = default);
}

/// <param name="ScriptCacheKey">Identifies the block's source for the prepared-script cache (e.g. workspace/plugin/version/block plus a content hash).</param>
/// <param name="Block">The block to run.</param>
/// <param name="Context">The <c>context</c> object the block sees (see <see cref="ViaSocket.Domain.ContextKeys"/>).</param>
/// <param name="Urls">Where the block may send requests: the version's allowed URLs for this connection.</param>
/// <param name="Options">Diagnostics for this run; null means none.</param>
public sealed record BlockRunRequest(string ScriptCacheKey, ApiBlock Block, JsonObject Context, BlockUrlPolicy Urls, BlockRunOptions? Options = null)
{
    /// <summary>The block is an Access or Refresh Token API: a result without any access token is not a success.</summary>
    public bool ExpectsToken { get; init; }

    /// <summary>
    /// How a declarative request authenticates the client with <c>context.clientId</c> and <c>context.clientSecret</c>
    /// (<see cref="ClientAuthModes"/>); null or <c>block</c> adds nothing. Set for the token, refresh and revoke blocks.
    /// </summary>
    public string? ClientAuthentication { get; init; }

    /// <summary>Which share of the runners a JavaScript block waits for: connections' own work, or author test runs.</summary>
    public BlockRunLane Lane { get; init; } = BlockRunLane.Connections;

    /// <summary>Whose run this is (the workspace): runs queued in a lane are served round-robin across tenants.</summary>
    public string? Tenant { get; init; }
}

/// <summary>
/// The shares of the runner pool. Test runs execute drafts anyone with author rights can write, so they never wait
/// behind, delay, or share a runner process with connect, refresh and revoke runs.
/// </summary>
public enum BlockRunLane
{
    /// <summary>Connect, Test Me, refresh and revoke runs of connections.</summary>
    Connections,
    /// <summary>Author test runs from the builder or the test-run API.</summary>
    TestRuns,
}

/// <summary>
/// The URLs a block run may reach. Every request a block makes carries a secret (the client secret, a code, a
/// token), so each one, JavaScript or declarative, must fall under the version's allowed URLs, rendered for the
/// connection: a field value that moved a URL elsewhere is refused before anything is sent.
/// </summary>
/// <param name="AllowedUrls">Null only for <see cref="AddressGuardOnly"/>.</param>
/// <param name="HostnameFields">Fields whose values may put several DNS labels into a URL host (<c>format: hostname</c>).</param>
public sealed record BlockUrlPolicy(AllowedUrlPolicy? AllowedUrls, IReadOnlySet<string> HostnameFields)
{
    /// <summary>No URL list, only the outbound address guard: for runs that carry no connection's secrets (benchmarks, sandbox tests).</summary>
    public static BlockUrlPolicy AddressGuardOnly { get; } = new(null, new HashSet<string>());

    public bool Allows(Uri url) => AllowedUrls?.IsAllowed(url) ?? true;
}

public sealed record BlockRunOptions
{
    /// <summary>Capture console output and an HTTP trace (author test runs).</summary>
    public bool CaptureDiagnostics { get; init; }
}

public sealed record BlockRunResult(
    JsonNode? Result,
    BlockFailure? Failure,
    IReadOnlyList<ConsoleEntry> Console,
    IReadOnlyList<HttpTraceEntry> HttpTrace,
    TimeSpan Duration)
{
    public bool Succeeded => Failure is null;
}

/// <summary>Why a block failed, classified so the lifecycle can tell transient from permanent failures.</summary>
/// <param name="Kind">What failed.</param>
/// <param name="Code">A stable error code (see <see cref="BlockErrorCodes"/>).</param>
/// <param name="Message">Author-facing text with secrets redacted.</param>
/// <param name="HttpStatus">The provider's status when the failure is an HTTP response.</param>
/// <param name="ResponseData">The provider's response body (parsed JSON where possible) when the failure is an HTTP response.</param>
/// <param name="RetryAfter">The provider's Retry-After, when it sent one.</param>
public sealed record BlockFailure(
    BlockFailureKind Kind,
    string Code,
    string Message,
    int? HttpStatus = null,
    JsonNode? ResponseData = null,
    TimeSpan? RetryAfter = null)
{
    /// <summary>Network errors, timeouts, 5xx, 408, 425 and 429 are worth retrying; everything else is not.</summary>
    public bool IsTransient => Kind is BlockFailureKind.Network or BlockFailureKind.Timeout or BlockFailureKind.ProviderRetry or BlockFailureKind.Runner
        || (Kind == BlockFailureKind.HttpStatus && HttpStatus is >= 500 or 408 or 425 or 429);

    /// <summary>The provider refused the grant or the client (by status or in its body): the user must reconnect.</summary>
    public bool IsRefusal => !IsTransient && Kind is BlockFailureKind.HttpStatus or BlockFailureKind.ProviderRefused;
}

public enum BlockFailureKind
{
    /// <summary>The provider answered with a non-2xx status.</summary>
    HttpStatus,
    /// <summary>Connecting or reading failed (DNS, refused, reset).</summary>
    Network,
    /// <summary>An outbound call or the whole block ran out of time.</summary>
    Timeout,
    /// <summary>The script threw, had a syntax error, or a template could not render.</summary>
    Script,
    /// <summary>A sandbox limit was hit (statements, memory, recursion, regex, array size).</summary>
    LimitExceeded,
    /// <summary>
    /// The provider said in its body that the grant is gone (a standard OAuth error such as <c>invalid_grant</c>, a
    /// declared outcome rule, or a block throwing <c>BlockError.permanent</c>), whatever the HTTP status.
    /// </summary>
    ProviderRefused,
    /// <summary>The provider said in its body to retry later (a declared outcome rule or <c>BlockError.transient</c>).</summary>
    ProviderRetry,
    /// <summary>The request was refused before or while sending (URL outside the allowed URLs, address not allowed, redirect, response too large).</summary>
    Refused,
    /// <summary>No runner process could take the run (all busy past the queue limit, or none could start), or its runner died: worth retrying.</summary>
    Runner,
}

public static class BlockErrorCodes
{
    public const string HttpError = "block.http_error";
    public const string NetworkError = "block.network_error";

    /// <summary>A network failure before anything was sent (DNS, connect, TLS): unlike <see cref="NetworkError"/>, the provider cannot have acted on it.</summary>
    public const string Unreachable = "block.unreachable";
    public const string Timeout = "block.timeout";
    public const string ScriptError = "block.script_error";
    public const string SyntaxError = "block.syntax_error";
    public const string TemplateError = "block.template_error";
    public const string LimitExceeded = "block.limit_exceeded";

    /// <summary>The run went over its memory ceiling: the interpreter's allocation budget, or the runner process's heap.</summary>
    public const string MemoryExceeded = "block.memory_exceeded";

    /// <summary>The runner process running the block died without an answer (and a retry on a fresh one failed too).</summary>
    public const string RunnerCrashed = "block.runner_crashed";

    /// <summary>The run's lane has more runs queued than it accepts (for this workspace, or in all).</summary>
    public const string RunnerBusy = "block.runner_busy";

    /// <summary>No runner process could be started.</summary>
    public const string RunnerUnavailable = "block.runner_unavailable";
    public const string AddressRefused = "block.address_refused";
    public const string ResponseTooLarge = "block.response_too_large";
    public const string RedirectRefused = "block.redirect_refused";
    public const string InvalidResult = "block.invalid_result";
    public const string UrlNotAllowed = "block.url_not_allowed";
    public const string ProviderRefused = "block.provider_refused";
    public const string ProviderRetry = "block.provider_retry";
    public const string NoToken = "block.no_token";
}

/// <param name="Level">log, info, warn or error.</param>
public sealed record ConsoleEntry(string Level, string Message);

/// <summary>One outbound call made by a block; URL query values and headers are redacted.</summary>
public sealed record HttpTraceEntry(string Method, string Url, int? Status, TimeSpan Duration, string? Error);
