using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// A member path below <c>context</c> (<c>context.authData["x-y"].items[0].id</c>), evaluated directly on
/// the JSON tree with no JavaScript engine.
/// </summary>
internal sealed class MemberPath
{
    private readonly PathSegment[] segments;

    public MemberPath(IReadOnlyList<PathSegment> segments)
    {
        this.segments = [.. segments];
        Text = Format(this.segments);
    }

    /// <summary>Normalized text, e.g. <c>context.authData["x-y"].items[0]</c>; optional chaining is not shown.</summary>
    public string Text { get; }

    /// <summary>The steps below <c>context</c>, for validation rules about what a template reads.</summary>
    public IReadOnlyList<PathSegment> Segments => segments;

    /// <summary>The member read right below <c>context</c> (e.g. <c>authData</c>), or null for <c>context</c> itself.</summary>
    public string? ContextMember => segments.Length > 0 ? segments[0].Name : null;

    /// <summary>The member right below <c>context.authData</c> when the path is exactly <c>context.authData.&lt;member&gt;</c>.</summary>
    public string? AuthDataMember => segments is [{ Name: ContextKeys.AuthData }, { Index: < 0 } member] ? member.Name : null;

    /// <summary>The value at this path, or null when any step is missing (JSON null counts as missing).</summary>
    public JsonNode? Resolve(JsonObject context)
    {
        JsonNode? current = context;
        foreach (var segment in segments)
        {
            current = Step(current, segment);
            if (current is null)
            {
                return null;
            }
        }

        return JsonText.IsMissing(current) ? null : current;
    }

    /// <summary>Names the first step that is missing, for an error message.</summary>
    public string DescribeMissing(JsonObject context)
    {
        JsonNode? current = context;
        for (var i = 0; i < segments.Length; i++)
        {
            var next = Step(current, segments[i]);
            if (JsonText.IsMissing(next) && i < segments.Length - 1)
            {
                return $"{Text} is missing ({Format(segments.AsSpan(0, i + 1))} is missing)";
            }

            current = next;
        }

        return $"{Text} is missing";
    }

    private static JsonNode? Step(JsonNode? current, PathSegment segment) => current switch
    {
        JsonObject obj => obj.TryGetPropertyValue(segment.Name, out var value) ? value : null,
        JsonArray array when segment.Index >= 0 => segment.Index < array.Count ? array[segment.Index] : null,
        JsonArray array when segment.Name == "length" => JsonValue.Create(array.Count),
        JsonValue value when segment.Name == "length" && value.GetValueKind() == JsonValueKind.String =>
            JsonValue.Create(value.GetValue<string>().Length),
        _ => null,
    };

    private static string Format(ReadOnlySpan<PathSegment> segments)
    {
        var text = new StringBuilder(TemplateRoots.Context);
        foreach (var segment in segments)
        {
            if (segment.Index >= 0)
            {
                text.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else if (IsIdentifier(segment.Name))
            {
                text.Append('.').Append(segment.Name);
            }
            else
            {
                text.Append('[').Append(JsonSerializer.Serialize(segment.Name)).Append(']');
            }
        }

        return text.ToString();
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0
        && name[0] is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or '$'
        && name.AsSpan(1).IndexOfAnyExcept(IdentifierChars) < 0;

    private static readonly System.Buffers.SearchValues<char> IdentifierChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$");
}

/// <summary>One step of a <see cref="MemberPath"/>: a property name, and its array index when the name is a non-negative integer.</summary>
internal readonly record struct PathSegment(string Name, int Index)
{
    public static PathSegment Property(string name) =>
        new(name, int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index.ToString(CultureInfo.InvariantCulture) == name ? index : -1);
}

/// <summary>The only identifier a fast-path template may start from.</summary>
internal static class TemplateRoots
{
    public const string Context = "context";
}
