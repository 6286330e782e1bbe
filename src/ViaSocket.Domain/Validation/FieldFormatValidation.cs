using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Validation;

/// <summary>Checks a field's <c>format</c> and <c>pattern</c>, and that its default passes them.</summary>
internal static class FieldFormatValidation
{
    public const int MaxPatternLength = 256;

    public static void Check(FieldDefinition field, string pointer, List<ValidationProblem> problems)
    {
        var valid = true;
        if (field.Format is { } format && !FieldFormats.All.Contains(format))
        {
            problems.Add(new(pointer + "/format", ValidationCodes.UnknownFieldFormat,
                $"Unknown field format '{format}'; use one of {string.Join(", ", FieldFormats.All)}."));
            valid = false;
        }

        if (field.Pattern is { } pattern)
        {
            if (PatternProblem(pattern) is { } problem)
            {
                problems.Add(new(pointer + "/pattern", ValidationCodes.InvalidFieldPattern, problem));
                valid = false;
            }
        }

        if (valid && field.Default is { Length: > 0 } value && FieldFormatRules.Problem(field, value) is { } invalid)
        {
            problems.Add(new(pointer + "/default", ValidationCodes.InvalidFieldDefault, $"The default does not pass the field's own checks: {invalid.Message}"));
        }
    }

    private static string? PatternProblem(string pattern)
    {
        if (pattern.Length is 0 or > MaxPatternLength)
        {
            return $"A pattern has 1 to {MaxPatternLength} characters.";
        }

        try
        {
            FieldFormatRules.CompilePattern(pattern);
            return null;
        }
        catch (NotSupportedException)
        {
            // Backreferences and lookarounds need backtracking, which a value could make take exponential time.
            return "The pattern uses a construct that needs backtracking (backreferences, lookarounds, atomic groups); write it without.";
        }
        catch (ArgumentException error)
        {
            return $"The pattern is not a valid regular expression: {error.Message}";
        }
    }
}
