using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Connections;

/// <summary>A field value a user supplied that the version does not accept.</summary>
public sealed record FieldProblem(string Key, string Code, string Message);

public static class FieldProblemCodes
{
    public const string Required = "field.required";
    public const string Unknown = "field.unknown";
    public const string NotAnOption = "field.not_an_option";
    public const string TooLong = "field.too_long";
}

/// <summary>Checks the values a user gives for a version's <c>fields</c> before redirecting to the provider.</summary>
public static class FieldValues
{
    public const int MaxValueLength = 4096;

    /// <summary>
    /// Returns the values to store in authData (defaults applied) and every problem at once: required fields missing,
    /// unknown keys, select values outside the options, overlong values.
    /// </summary>
    public static (JsonObject Values, IReadOnlyList<FieldProblem> Problems) Validate(
        IReadOnlyList<FieldDefinition> fields, IReadOnlyDictionary<string, string> supplied)
    {
        var problems = new List<FieldProblem>();
        var values = new JsonObject();
        var known = fields.ToDictionary(f => f.Key, StringComparer.Ordinal);

        foreach (var key in supplied.Keys.Where(k => !known.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            problems.Add(new FieldProblem(key, FieldProblemCodes.Unknown, $"'{key}' is not a field of this auth version."));
        }

        foreach (var field in fields)
        {
            var value = supplied.TryGetValue(field.Key, out var given) && !string.IsNullOrEmpty(given) ? given : field.Default;
            if (string.IsNullOrEmpty(value))
            {
                if (field.Required)
                {
                    problems.Add(new FieldProblem(field.Key, FieldProblemCodes.Required, $"'{field.Label ?? field.Key}' is required."));
                }

                continue;
            }

            if (value.Length > MaxValueLength)
            {
                problems.Add(new FieldProblem(field.Key, FieldProblemCodes.TooLong, $"'{field.Key}' must be at most {MaxValueLength} characters."));
            }
            else if (field.Type == FieldTypes.Select && !(field.Options ?? []).Contains(value, StringComparer.Ordinal))
            {
                problems.Add(new FieldProblem(field.Key, FieldProblemCodes.NotAnOption, $"'{field.Key}' must be one of the field's options."));
            }

            values[field.Key] = value;
        }

        return (values, problems);
    }
}
