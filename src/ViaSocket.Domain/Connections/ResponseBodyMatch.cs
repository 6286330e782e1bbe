using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// Reads a provider's response body the way outcome and refresh-on rules see it: JSON as it is, a form-encoded body
/// (<c>error=bad_refresh_token&amp;...</c>, which GitHub answers with) as an object of strings, and values compared as text.
/// </summary>
public static class ResponseBodyMatch
{
    /// <summary>The body as a document rules can look into; null when it is neither JSON nor a form-encoded text.</summary>
    public static JsonNode? AsDocument(JsonNode? body)
    {
        if (body is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return body;
        }

        var text = value.GetValue<string>().Trim();
        if (text.Length == 0 || text.Contains('{', StringComparison.Ordinal) || !text.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        var form = new JsonObject();
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Decode(parts[0]);
            if (name.Length > 0 && !form.ContainsKey(name))
            {
                form[name] = parts.Length > 1 ? Decode(parts[1]) : "";
            }
        }

        return form;
    }

    /// <summary>True when <paramref name="match"/> has entries and every path of it holds one of its values in <paramref name="document"/>.</summary>
    public static bool Holds(JsonNode? document, IReadOnlyDictionary<string, IReadOnlyList<string>> match) =>
        document is not null && match.Count > 0
        && match.All(condition => Text(DottedPath.Find(document, condition.Key)) is { } value && condition.Value.Contains(value));

    /// <summary>
    /// One refresh-on rule (see <see cref="Definitions.RefreshOnRule"/>) against a response: its status is one of
    /// <paramref name="statuses"/> (any, if empty) and <paramref name="match"/> holds for the body (always, if empty).
    /// A rule has at least one of the two; validation refuses one with neither.
    /// </summary>
    public static bool RefreshOnHolds(int status, JsonNode? document, IReadOnlyList<int> statuses, IReadOnlyDictionary<string, IReadOnlyList<string>> match) =>
        (statuses.Count > 0 || match.Count > 0)
        && (statuses.Count == 0 || statuses.Contains(status))
        && (match.Count == 0 || Holds(document, match));

    /// <summary>A scalar as text: strings as they are, numbers and booleans as JSON writes them; null for anything else.</summary>
    public static string? Text(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.ToJsonString(),
        _ => null,
    };

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
