using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>A field value a user supplied that the version does not accept.</summary>
public sealed record FieldProblem(string Key, string Code, string Message);

public static class FieldProblemCodes
{
    public const string Required = "field.required";
    public const string Unknown = "field.unknown";
    public const string NotAnOption = "field.not_an_option";
    public const string TooLong = "field.too_long";
    public const string ControlCharacter = "field.control_character";
    public const string InvalidFormat = "field.invalid_format";
    public const string PatternMismatch = "field.pattern_mismatch";
    public const string NotUrlSafe = "field.not_url_safe";
}

/// <summary>Checks the values a user gives for a version's <c>fields</c> before redirecting to the provider.</summary>
public static class FieldValues
{
    public const int MaxValueLength = 4096;

    /// <summary>
    /// Returns the values to store in authData (defaults applied) and every problem at once: required fields missing,
    /// unknown keys, select values outside the options, overlong values, control characters, values that do not
    /// match the field's <c>format</c> or <c>pattern</c>, and values that cannot go where the version's URL templates
    /// put them (<paramref name="urlUses"/>; e.g. a subdomain with a '/').
    /// </summary>
    public static (JsonObject Values, IReadOnlyList<FieldProblem> Problems) Validate(
        IReadOnlyList<FieldDefinition> fields, IReadOnlyDictionary<string, string> supplied, IReadOnlyList<UrlFieldUse>? urlUses = null)
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
            else if ((FieldFormatRules.Problem(field, value) ?? UrlProblem(field, value, urlUses)) is { } problem)
            {
                problems.Add(problem);
            }

            values[field.Key] = value;
        }

        return (values, problems);
    }

    private static FieldProblem? UrlProblem(FieldDefinition field, string value, IReadOnlyList<UrlFieldUse>? urlUses)
    {
        var dotted = field.Format == FieldFormats.Hostname;
        foreach (var use in urlUses ?? [])
        {
            if (use.FieldKey == field.Key && UrlTemplate.Problem(use.Component, value, dotted) is { } problem)
            {
                return new FieldProblem(field.Key, FieldProblemCodes.NotUrlSafe,
                    $"'{field.Label ?? field.Key}' goes into the {Describe(use.Component)} of a URL of this auth version, and {problem}");
            }
        }

        return null;
    }

    private static string Describe(UrlComponent component) => component switch
    {
        UrlComponent.BaseUrl => "start",
        UrlComponent.Host => "host",
        UrlComponent.Port => "port",
        UrlComponent.Path => "path",
        UrlComponent.Query => "query",
        _ => "fragment",
    };
}
