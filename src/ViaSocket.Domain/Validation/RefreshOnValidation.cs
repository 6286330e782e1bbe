using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Validation;

/// <summary>Checks what tells a proxied response meant "token expired": <c>refreshOnStatus</c> and the <c>refreshOn</c> rules.</summary>
internal static class RefreshOnValidation
{
    public const int MaxRules = 20;

    public static void Check(IReadOnlyList<int>? statuses, IReadOnlyList<RefreshOnRule?>? rules, List<ValidationProblem> problems)
    {
        for (var i = 0; i < (statuses?.Count ?? 0); i++)
        {
            if (statuses![i] is < 400 or > 599)
            {
                problems.Add(new(JsonPointer.Append("/refreshOnStatus", i), ValidationCodes.InvalidStatus,
                    $"{statuses[i]} is not an error status (400-599)."));
            }
        }

        rules ??= [];
        if (rules.Count > MaxRules)
        {
            problems.Add(new("/refreshOn", ValidationCodes.TooMany, $"At most {MaxRules} refreshOn rules are allowed."));
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var pointer = JsonPointer.Append("/refreshOn", i);
            if (rules[i] is not { } rule)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "A refreshOn rule cannot be null."));
                continue;
            }

            var ruleStatuses = rule.Status ?? [];
            var match = rule.Match ?? new Dictionary<string, IReadOnlyList<string>>();

            // A rule with neither would take every response as "expired" and refresh on each call.
            if (ruleStatuses.Count == 0 && match.Count == 0)
            {
                problems.Add(new(pointer, ValidationCodes.InvalidOutcomeRule, "A refreshOn rule names statuses, body matches, or both."));
            }

            for (var s = 0; s < ruleStatuses.Count; s++)
            {
                // 2xx is allowed here: Slack signals an expired token in a 200 body. A bare 2xx status would refresh on success.
                if (ruleStatuses[s] is < 200 or > 599 || (ruleStatuses[s] < 300 && match.Count == 0))
                {
                    problems.Add(new(JsonPointer.Append(pointer + "/status", s), ValidationCodes.InvalidStatus,
                        $"{ruleStatuses[s]} is not usable here: use 200-599, and a 2xx status only together with a body match."));
                }
            }

            OutcomeRuleValidation.CheckMatch(match, pointer + "/match", problems);
        }
    }
}
