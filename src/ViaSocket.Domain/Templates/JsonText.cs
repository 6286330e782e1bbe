using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// How a JSON value becomes template text: strings as is, numbers in JavaScript form (integers without
/// <c>.0</c>), booleans <c>true</c>/<c>false</c>, objects and arrays as compact JSON (not
/// <c>[object Object]</c> as JavaScript would print, which no provider wants).
/// </summary>
public static class JsonText
{
    private static readonly JsonSerializerOptions CompactJson = new()
    {
        // Like JSON.stringify: keep non-ASCII and HTML-sensitive characters readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string ToText(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number => FormatNumber(node.ToJsonString()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => node.ToJsonString(CompactJson),
    };

    /// <summary>JavaScript truthiness of a JSON value; a missing value is falsy.</summary>
    public static bool IsTruthy(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
        JsonValueKind.String => node.GetValue<string>().Length > 0,
        JsonValueKind.Number => double.TryParse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number != 0 && !double.IsNaN(number),
        _ => true,
    };

    /// <summary>A JSON null counts as missing: a template never sends <c>null</c> or <c>undefined</c>.</summary>
    public static bool IsMissing(JsonNode? node) => node is null || node.GetValueKind() == JsonValueKind.Null;

    private static string FormatNumber(string json)
    {
        if (json.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            return json;
        }

        var number = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
        return number.ToString("R", CultureInfo.InvariantCulture);
    }
}
