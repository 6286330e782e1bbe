namespace ViaSocket.Domain.Templates;

/// <summary>DNS names as values may spell them (RFC 1123 labels, ASCII only: an IDN must arrive in its xn-- form).</summary>
public static class HostNames
{
    private const int MaxLabelLength = 63;
    private const int MaxNameLength = 253;

    /// <summary>Why <paramref name="value"/> is not one DNS label (or, with <paramref name="dotted"/>, a DNS name), or null.</summary>
    public static string? Problem(string value, bool dotted)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "a host label cannot be empty.";
        }

        if (!dotted && value.Contains('.', StringComparison.Ordinal))
        {
            return "a host label cannot contain '.' (the field does not declare format 'hostname').";
        }

        if (value.Length > MaxNameLength)
        {
            return $"a host name has at most {MaxNameLength} characters.";
        }

        foreach (var label in value.Split('.'))
        {
            if (!IsLabel(label))
            {
                return "a host label has 1 to 63 letters, digits or inner hyphens.";
            }
        }

        return null;
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= MaxLabelLength
        && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
