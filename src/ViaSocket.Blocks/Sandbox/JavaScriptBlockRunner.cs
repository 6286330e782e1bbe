using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Http;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Runs <see cref="Domain.Definitions.ApiBlock.Code"/> where the configured <see cref="IScriptHost"/> puts it (a
/// runner process by default), with its outbound requests sent from here through the guard.
/// </summary>
internal sealed class JavaScriptBlockRunner(IScriptHost host, OutboundHttpClient httpClient, IOptions<SandboxOptions> options, TimeProvider timeProvider)
{
    /// <summary>Runs the block's code; see <see cref="IBlockRunner.RunAsync"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var code = request.Block.Code ?? throw new ArgumentException("The block has no code.", nameof(request));
        var limits = options.Value;
        var started = timeProvider.GetTimestamp();
        var capture = request.Options?.CaptureDiagnostics == true;
        var trace = new RunDiagnostics(capture, 0, 0);
        var http = new GuardedBlockHttp(httpClient, request.Urls, trace, limits.MaxOutboundCalls, timeProvider);
        var run = new ScriptRun(request.ScriptCacheKey, code, request.Context.ToJsonString(), limits, capture);
        var outcome = await host.RunAsync(run, new ScriptPlacement(request.Lane, request.Tenant), http, cancellationToken).ConfigureAwait(false);
        var failure = http.RefusedUrl is { } refused ? UrlPolicy.NotAllowed(refused) : outcome.Failure;
        return new BlockRunResult(failure is null ? outcome.Result : null, failure, outcome.Console, trace.HttpTrace, timeProvider.GetElapsedTime(started));
    }
}
