namespace ViaSocket.Domain;

/// <summary>RFC 6901 JSON pointers.</summary>
public static class JsonPointer
{
    /// <summary>Appends one reference token, escaping <c>~</c> as <c>~0</c> and <c>/</c> as <c>~1</c>.</summary>
    public static string Append(string pointer, string token) =>
        string.Concat(pointer, "/", token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));

    public static string Append(string pointer, int index) => Append(pointer, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
