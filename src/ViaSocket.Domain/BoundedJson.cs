using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain;

/// <summary>How <see cref="BoundedJson.TryParse"/> judged a text.</summary>
public enum BoundedJsonOutcome
{
    /// <summary>Valid JSON within the depth limit; every string holds valid Unicode.</summary>
    Parsed,

    /// <summary>Not a single JSON value.</summary>
    NotJson,

    /// <summary>Valid JSON nesting objects and arrays deeper than the limit.</summary>
    TooDeep,

    /// <summary>Valid JSON with a string or member name that escapes a lone surrogate (<c>"\ud800"</c>).</summary>
    InvalidString,
}

/// <summary>
/// Parses JSON that comes from outside the service (block results, provider responses) only when it can be read,
/// stored and written back safely: System.Text.Json refuses more than 64 levels when it reads or writes, and a
/// lazily parsed string escaping a lone surrogate throws only when it is first read, possibly long after it was
/// stored. Both are found up front, in one pass, instead of surfacing later as an unexplained failure.
/// </summary>
public static class BoundedJson
{
    /// <summary>
    /// The default limit on nesting: a block result is stored inside authData and then inside the context of the
    /// next block, so it must stay well below the 64 levels System.Text.Json reads and writes.
    /// </summary>
    public const int DefaultMaxDepth = 32;

    /// <summary>Parses <paramref name="text"/> when it is JSON nested at most <paramref name="maxDepth"/> levels.</summary>
    /// <param name="node">The parsed value (null for JSON <c>null</c>) when the outcome is <see cref="BoundedJsonOutcome.Parsed"/>.</param>
    public static BoundedJsonOutcome TryParse(string text, int maxDepth, out JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        node = null;
        var utf8 = Encoding.UTF8.GetBytes(text);
        var outcome = Inspect(utf8, maxDepth);
        if (outcome == BoundedJsonOutcome.Parsed)
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = maxDepth });
        }

        return outcome;
    }

    private static BoundedJsonOutcome Inspect(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // Depth is measured rather than limited by the reader, so that "too deep" is told apart from "not JSON".
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var deepest = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        deepest = Math.Max(deepest, reader.CurrentDepth + 1);
                        break;
                    case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                        reader.GetString();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return BoundedJsonOutcome.NotJson;
        }
        catch (InvalidOperationException)
        {
            return BoundedJsonOutcome.InvalidString;
        }

        return deepest > maxDepth ? BoundedJsonOutcome.TooDeep : BoundedJsonOutcome.Parsed;
    }
}
