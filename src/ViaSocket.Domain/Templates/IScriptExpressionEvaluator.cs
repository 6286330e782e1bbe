using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// Evaluates a template expression that is not a plain member path (e.g.
/// <c>btoa(context.clientId + ':' + context.clientSecret)</c>) in a JavaScript sandbox.
/// </summary>
/// <remarks>
/// Implementations return the value as JSON (null for <c>null</c>/<c>undefined</c>) and should throw
/// <see cref="TemplateRenderException"/> with a message free of context values when evaluation fails.
/// </remarks>
public interface IScriptExpressionEvaluator
{
    JsonNode? Evaluate(string expression, JsonObject context);
}
