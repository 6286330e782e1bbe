using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Evaluates template expressions that are not plain member paths (e.g. <c>btoa(context.clientId + ':' + context.clientSecret)</c>)
/// in a fresh sandbox engine with the block limits, a short timeout and no outbound HTTP.
/// </summary>
internal sealed partial class SandboxedExpressionEvaluator(PreparedScriptCache scripts, IOptions<SandboxOptions> options, TimeProvider timeProvider)
    : IScriptExpressionEvaluator
{
    private const string CacheKeyPrefix = "expression:";

    /// <exception cref="TemplateRenderException">The expression does not parse, throws, or exceeds a limit; the message carries no context value.</exception>
    public JsonNode? Evaluate(string expression, JsonObject context)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(context);
        var settings = options.Value;
        BlockFailure? failure;
        try
        {
            var script = scripts.GetOrPrepare(CacheKeyPrefix + expression, expression, SandboxEngine.PrepareExpression);
            var diagnostics = new RunDiagnostics(capture: false, 0, 0);
            var bridge = new SandboxBridge(http: null, diagnostics, maxOutboundCalls: 0, CancellationToken.None);
            using var engine = new SandboxEngine(settings, bridge, settings.ExpressionTimeout, CancellationToken.None);
            (var result, failure) = SandboxOutcome.FromEnvelope(engine.Evaluate(script, context.ToJsonString()), settings, timeProvider);
            if (failure is null)
            {
                return result;
            }
        }
        catch (Exception error) when (SandboxOutcome.FromException(error, settings.ExpressionTimeout) is { } mapped)
        {
            failure = mapped;
        }

        throw new TemplateRenderException(Describe(failure), expression);
    }

    // Script error messages can quote values (e.g. a JSON.parse error shows the text), so only the error's
    // name crosses into the template error.
    private static string Describe(BlockFailure failure) => failure.Kind switch
    {
        BlockFailureKind.Script when ErrorName().Match(failure.Message) is { Success: true } name
            => $"The expression threw {name.Value}.",
        BlockFailureKind.Script => "The expression could not be evaluated.",
        _ => failure.Message,
    };

    [GeneratedRegex(@"^[A-Z][A-Za-z]*Error\b")]
    private static partial Regex ErrorName();
}
