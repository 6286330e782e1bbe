using System.Globalization;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Tokens;

/// <summary>Dotted paths into a token response (<c>data.expires_in</c>, <c>tokens.0.expires_at</c>).</summary>
internal static class DottedPath
{
    public static bool IsValid(string path) =>
        path.Length > 0 && path.Split('.').All(segment => segment.Length > 0 && !segment.Any(char.IsWhiteSpace));

    /// <summary>The value at <paramref name="path"/>, or null when a step is missing; a numeric step indexes an array.</summary>
    public static JsonNode? Find(JsonNode? root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            current = current switch
            {
                JsonObject obj => obj.TryGetPropertyValue(segment, out var value) ? value : null,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < array.Count => array[index],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }
}
