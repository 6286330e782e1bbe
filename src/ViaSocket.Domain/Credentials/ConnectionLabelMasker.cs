namespace ViaSocket.Domain.Credentials;

/// <summary>Masks a connection label for display (<c>maskConnectionLabel</c>).</summary>
public static class ConnectionLabelMasker
{
    private const string Stars = "***";

    /// <summary>
    /// <c>john.doe@example.com</c> → <c>j***@example.com</c>; other text keeps its first and last character
    /// (<c>a***z</c>); text of three characters or fewer is fully masked. The mask has a fixed length so it
    /// does not reveal the hidden length.
    /// </summary>
    public static string Mask(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var at = label.LastIndexOf('@');
        if (at > 0 && at < label.Length - 1)
        {
            var local = label[..at];
            var domain = label[(at + 1)..];
            return local.Length > 1 ? $"{local[0]}{Stars}@{domain}" : $"{Stars}@{domain}";
        }

        return label.Length switch
        {
            0 => "",
            <= 3 => Stars,
            _ => $"{label[0]}{Stars}{label[^1]}",
        };
    }
}
