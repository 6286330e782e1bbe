using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Validation;

/// <summary>Checks a block's <c>outcomes</c> rules (see <see cref="OutcomeRule"/>).</summary>
internal static class OutcomeRuleValidation
{
    public const int MaxRules = 20;

    public static void Check(IReadOnlyList<OutcomeRule?>? rules, string blockPointer, List<ValidationProblem> problems)
    {
        rules ??= [];
        var pointer = blockPointer + "/outcomes";
        if (rules.Count > MaxRules)
        {
            problems.Add(new(pointer, ValidationCodes.TooMany, $"At most {MaxRules} outcome rules are allowed."));
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var rulePointer = JsonPointer.Append(pointer, i);
            if (rules[i] is not { } rule)
            {
                problems.Add(new(rulePointer, ValidationCodes.Required, "An outcome rule cannot be null."));
                continue;
            }

            if (rule.Then is not (OutcomeKinds.Permanent or OutcomeKinds.Transient))
            {
                problems.Add(new(rulePointer + "/then", ValidationCodes.InvalidOutcomeRule, $"Unknown outcome '{rule.Then}'; use permanent or transient."));
            }

            if ((rule.Match?.Count ?? 0) == 0)
            {
                problems.Add(new(rulePointer + "/match", ValidationCodes.InvalidOutcomeRule, "A rule matches at least one body path, e.g. { \"error\": [\"invalid_auth\"] }."));
            }

            CheckMatch(rule.Match, rulePointer + "/match", problems);

            if (rule.RetryAfterPath is { } retryAfter && (!DottedPath.IsValid(retryAfter) || rule.Then != OutcomeKinds.Transient))
            {
                problems.Add(new(rulePointer + "/retryAfterPath", ValidationCodes.InvalidOutcomeRule,
                    "retryAfterPath is a dotted path, and only for a transient outcome."));
            }
        }
    }

    /// <summary>A body match of an outcome or refresh-on rule: each key a dotted path, each with at least one value.</summary>
    public static void CheckMatch(IReadOnlyDictionary<string, IReadOnlyList<string>>? match, string pointer, List<ValidationProblem> problems)
    {
        foreach (var (path, values) in match ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (!DottedPath.IsValid(path) || values is not { Count: > 0 })
            {
                problems.Add(new(JsonPointer.Append(pointer, path), ValidationCodes.InvalidOutcomeRule,
                    "Each match key is a dotted path (ok, error.code) with a non-empty list of values."));
            }
        }
    }
}
