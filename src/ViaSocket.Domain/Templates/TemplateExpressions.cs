using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>One <c>${...}</c> of a template, classified once at parse time.</summary>
internal abstract class TemplateExpression(string source)
{
    /// <summary>The expression as the author wrote it (trimmed).</summary>
    public string Source { get; } = source;

    /// <summary>The value, never null: a missing value throws <see cref="TemplateRenderException"/> naming the path.</summary>
    /// <remarks>The node may belong to <paramref name="context"/>; clone it before attaching it elsewhere.</remarks>
    public abstract JsonNode Evaluate(JsonObject context, IScriptExpressionEvaluator? evaluator);

    public abstract bool NeedsScriptEvaluator { get; }
}

/// <summary><c>${context.a.b}</c> (optional chaining allowed): read straight from the JSON tree.</summary>
internal sealed class PathExpression(string source, MemberPath path) : TemplateExpression(source)
{
    public MemberPath Path { get; } = path;

    public override bool NeedsScriptEvaluator => false;

    public override JsonNode Evaluate(JsonObject context, IScriptExpressionEvaluator? evaluator) =>
        Path.Resolve(context) ?? throw new TemplateRenderException(Path.DescribeMissing(context), Path.Text);
}

/// <summary><c>${context.a ?? 'x'}</c> or <c>${context.a || 'x'}</c> with a literal default.</summary>
internal sealed class DefaultedPathExpression(string source, MemberPath path, JsonNode fallback, bool nullishOnly)
    : TemplateExpression(source)
{
    public MemberPath Path { get; } = path;

    public override bool NeedsScriptEvaluator => false;

    public override JsonNode Evaluate(JsonObject context, IScriptExpressionEvaluator? evaluator)
    {
        var value = Path.Resolve(context);
        var useFallback = nullishOnly ? value is null : !JsonText.IsTruthy(value);
        return useFallback ? fallback : value!;
    }
}

/// <summary><c>${'literal'}</c>, <c>${42}</c> or <c>${true}</c>.</summary>
internal sealed class ConstantExpression(string source, JsonNode value) : TemplateExpression(source)
{
    public override bool NeedsScriptEvaluator => false;

    public override JsonNode Evaluate(JsonObject context, IScriptExpressionEvaluator? evaluator) => value;
}

/// <summary>Anything else (calls, operators, ternaries): delegated to an <see cref="IScriptExpressionEvaluator"/>.</summary>
internal sealed class ScriptExpression(string source) : TemplateExpression(source)
{
    public override bool NeedsScriptEvaluator => true;

    public override JsonNode Evaluate(JsonObject context, IScriptExpressionEvaluator? evaluator)
    {
        if (evaluator is null)
        {
            throw new TemplateRenderException(
                $"The expression '{Source}' is not a plain context path and no script evaluator is available.", Source);
        }

        JsonNode? value;
        try
        {
            value = evaluator.Evaluate(Source, context);
        }
        catch (TemplateRenderException)
        {
            throw;
        }
        catch (Exception exception)
        {
            // The evaluator's message may quote context values (tokens), so only the exception type is kept:
            // exceptions end up in logs.
            throw new TemplateRenderException($"The expression '{Source}' failed ({exception.GetType().Name}).", Source);
        }

        return JsonText.IsMissing(value)
            ? throw new TemplateRenderException($"The expression '{Source}' produced no value (null or undefined).", Source)
            : value!;
    }
}
