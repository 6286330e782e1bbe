using Jint;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>Runs <see cref="Domain.Definitions.ApiBlock.Code"/> in a fresh sandbox engine.</summary>
internal sealed class JavaScriptBlockRunner
{
    private readonly OutboundHttpClient _httpClient;
    private readonly PreparedScriptCache _scripts;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _timeProvider;

    public JavaScriptBlockRunner(OutboundHttpClient httpClient, PreparedScriptCache scripts, IOptions<SandboxOptions> options, TimeProvider timeProvider)
    {
        _httpClient = httpClient;
        _scripts = scripts;
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>Runs the block's code; see <see cref="IBlockRunner.RunAsync"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var code = request.Block.Code ?? throw new ArgumentException("The block has no code.", nameof(request));
        var started = _timeProvider.GetTimestamp();
        var diagnostics = new RunDiagnostics(request.Options?.CaptureDiagnostics == true, _options.MaxConsoleLines, _options.MaxConsoleCharacters);

        BlockRunResult Finish(System.Text.Json.Nodes.JsonNode? result, BlockFailure? failure)
            => new(result, failure, diagnostics.Console, diagnostics.HttpTrace, _timeProvider.GetElapsedTime(started));

        Prepared<Acornima.Ast.Script> script;
        try
        {
            script = _scripts.GetOrPrepare(request.ScriptCacheKey, code, SandboxEngine.PrepareBlock);
        }
        catch (Exception error) when (error is ScriptPreparationException or RefusedSyntaxException)
        {
            return Finish(null, SandboxOutcome.FromException(error, _options.Timeout));
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var bridge = new SandboxBridge(_httpClient, request.Urls, diagnostics, _options.MaxOutboundCalls, _timeProvider, run.Token);
        try
        {
            using var engine = new SandboxEngine(_options, bridge, _options.Timeout, cancellationToken);
            var envelope = await engine.RunAsync(script, request.Context.ToJsonString(), run.Token).ConfigureAwait(false);
            if (bridge.RefusedUrl is { } refused)
            {
                return Finish(null, UrlPolicy.NotAllowed(refused));
            }

            var (result, failure) = SandboxOutcome.FromEnvelope(envelope, _options, _timeProvider);
            // A request cut short by the run's budget fails inside the script; the budget is the cause.
            return Finish(result, failure is not null && timeout.IsCancellationRequested ? TimedOut() : failure);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The budget ran out while the script was awaiting; depending on where the engine noticed, that
            // surfaces as a cancellation, a deadline error or a rejected promise.
            return Finish(null, TimedOut());
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && SandboxOutcome.FromException(error, _options.Timeout) is { } failure)
        {
            return Finish(null, bridge.RefusedUrl is { } refused ? UrlPolicy.NotAllowed(refused) : failure);
        }
    }

    private BlockFailure TimedOut() => SandboxOutcome.FromException(new TimeoutException(), _options.Timeout)!;
}
