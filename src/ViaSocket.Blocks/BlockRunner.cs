using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Blocks.Declarative;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain;
using ViaSocket.Domain.Security;

namespace ViaSocket.Blocks;

/// <summary>
/// Runs an <see cref="Domain.Definitions.ApiBlock"/>: JavaScript code in the sandbox, or a declarative request. What
/// the run returns never shows the client secret of the context: its value is masked in the result, the failure,
/// the console lines and the HTTP trace, so that it reaches neither stored errors nor test-run answers. A provider body
/// that signals a failure turns a run into one (<see cref="ProviderOutcomeCheck"/>).
/// </summary>
internal sealed class BlockRunner(JavaScriptBlockRunner javaScript, DeclarativeRequestRunner declarative) : IBlockRunner
{
    public async Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var run = request.Block switch
        {
            { Code: not null, Request: null } => await javaScript.RunAsync(request, cancellationToken).ConfigureAwait(false),
            { Code: null, Request: not null } => await declarative.RunAsync(request, cancellationToken).ConfigureAwait(false),
            _ => new BlockRunResult(null,
                new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.ScriptError, "An API block needs exactly one of code or request."),
                [], [], TimeSpan.Zero),
        };
        run = ProviderOutcomeCheck.Apply(run, request.Block.Outcomes, request.ExpectsToken);
        return SecretMask.For(ClientSecretOf(request.Context)) is { } mask ? Masked(run, mask) : run;
    }

    private static string? ClientSecretOf(JsonObject context) =>
        context[ContextKeys.ClientSecret] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static BlockRunResult Masked(BlockRunResult run, SecretMask mask) => run with
    {
        Result = mask.Apply(run.Result),
        Failure = run.Failure is { } failure
            ? failure with { Message = mask.Apply(failure.Message), ResponseData = mask.Apply(failure.ResponseData) }
            : null,
        Console = [.. run.Console.Select(line => line with { Message = mask.Apply(line.Message) })],
        HttpTrace = [.. run.HttpTrace.Select(call => call with { Url = mask.Apply(call.Url), Error = call.Error is null ? null : mask.Apply(call.Error) })],
    };
}
