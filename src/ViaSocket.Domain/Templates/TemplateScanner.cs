using System.Text;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// Splits a template into literal text and <c>${...}</c> expressions. <c>\${</c> is a literal <c>${</c>;
/// a <c>$</c> not followed by <c>{</c> and any other backslash are literal. An expression ends at the
/// <c>}</c> that balances its opening brace, skipping braces inside string and template literals.
/// </summary>
internal static class TemplateScanner
{
    public readonly record struct RawPart(string? Literal, string? Expression, int Position);

    public static TemplateSyntaxError? Scan(string source, List<RawPart> parts)
    {
        var literal = new StringBuilder();
        var literalStart = 0;
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\\' && At(source, i + 1, "${"))
            {
                literal.Append("${");
                i += 3;
                continue;
            }

            if (c == '$' && At(source, i + 1, "{"))
            {
                var expressionStart = i + 2;
                var error = FindExpressionEnd(source, expressionStart, out var end);
                if (error is not null)
                {
                    return error;
                }

                if (literal.Length > 0)
                {
                    parts.Add(new RawPart(literal.ToString(), null, literalStart));
                    literal.Clear();
                }

                parts.Add(new RawPart(null, source[expressionStart..end], expressionStart));
                i = end + 1;
                literalStart = i;
                continue;
            }

            literal.Append(c);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add(new RawPart(literal.ToString(), null, literalStart));
        }

        return null;
    }

    private static bool At(string source, int index, string text) =>
        index + text.Length <= source.Length && string.CompareOrdinal(source, index, text, 0, text.Length) == 0;

    /// <summary>Finds the <c>}</c> closing an expression that starts at <paramref name="start"/>.</summary>
    private static TemplateSyntaxError? FindExpressionEnd(string source, int start, out int end)
    {
        var depth = 0;
        var i = start;
        while (i < source.Length)
        {
            switch (source[i])
            {
                case '{':
                    depth++;
                    break;
                case '}' when depth == 0:
                    end = i;
                    return null;
                case '}':
                    depth--;
                    break;
                case '\'' or '"':
                    {
                        var error = SkipString(source, i, out i);
                        if (error is not null)
                        {
                            end = -1;
                            return error;
                        }

                        break;
                    }

                case '`':
                    {
                        var error = SkipTemplateLiteral(source, i, out i);
                        if (error is not null)
                        {
                            end = -1;
                            return error;
                        }

                        break;
                    }
            }

            i++;
        }

        end = -1;
        return new TemplateSyntaxError(start - 2, "'${' has no matching '}'.");
    }

    /// <summary>Skips a quoted string starting at <paramref name="start"/>; <paramref name="close"/> is its closing quote.</summary>
    private static TemplateSyntaxError? SkipString(string source, int start, out int close)
    {
        var quote = source[start];
        for (var i = start + 1; i < source.Length; i++)
        {
            if (source[i] == '\\')
            {
                i++;
            }
            else if (source[i] == quote)
            {
                close = i;
                return null;
            }
        }

        close = -1;
        return new TemplateSyntaxError(start, "Unterminated string literal.");
    }

    private static TemplateSyntaxError? SkipTemplateLiteral(string source, int start, out int close)
    {
        for (var i = start + 1; i < source.Length; i++)
        {
            if (source[i] == '\\')
            {
                i++;
            }
            else if (source[i] == '`')
            {
                close = i;
                return null;
            }
            else if (source[i] == '$' && At(source, i + 1, "{"))
            {
                var error = FindExpressionEnd(source, i + 2, out var nestedEnd);
                if (error is not null)
                {
                    close = -1;
                    return error;
                }

                i = nestedEnd;
            }
        }

        close = -1;
        return new TemplateSyntaxError(start, "Unterminated template literal.");
    }
}
