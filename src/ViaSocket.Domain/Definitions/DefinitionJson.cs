using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Definitions;

/// <summary>The outcome of <see cref="DefinitionJson.Parse"/>: a definition, or every problem found.</summary>
public sealed record DefinitionParseResult(AuthVersionDefinition? Definition, IReadOnlyList<ValidationProblem> Problems)
{
    public bool Succeeded => Definition is not null;
}

/// <summary>JSON (de)serialization of <see cref="AuthVersionDefinition"/>: camelCase, unknown members reported.</summary>
public static class DefinitionJson
{
    /// <summary>Largest definition document accepted, in UTF-8 bytes.</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>Web defaults (camelCase, case-insensitive reads), enums as strings, nulls omitted, unknown members refused.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(AuthVersionDefinition definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>
    /// Parses a definition document. Reports malformed JSON (<see cref="ValidationCodes.MalformedJson"/>),
    /// every unknown member (<see cref="ValidationCodes.UnknownMember"/>), values of the wrong JSON type
    /// (<see cref="ValidationCodes.InvalidType"/>) and oversized documents. Does not run <see cref="DefinitionValidator"/>.
    /// </summary>
    public static DefinitionParseResult Parse(string json)
    {
        try
        {
            return ParseDocument(json);
        }
        catch (InvalidOperationException)
        {
            // The parser keeps strings escaped until they are read; a \u escape of a lone surrogate fails only then.
            return Failed(new ValidationProblem("", ValidationCodes.MalformedJson, "A string or member name holds an invalid \\u escape (a lone surrogate)."));
        }
    }

    private static DefinitionParseResult ParseDocument(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > MaxDocumentBytes)
        {
            return Failed(new ValidationProblem("", ValidationCodes.TooLarge, $"The definition is larger than {MaxDocumentBytes} bytes."));
        }

        JsonNode? document;
        try
        {
            document = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException exception)
        {
            // The parser's own message can quote the document (which holds the client secret), so only the position is reported.
            return Failed(new ValidationProblem(
                LocateSyntaxError(json),
                ValidationCodes.MalformedJson,
                $"Malformed JSON at line {(exception.LineNumber ?? 0) + 1}, byte {(exception.BytePositionInLine ?? 0) + 1} (or a member repeated)."));
        }

        if (document is not JsonObject root)
        {
            return Failed(new ValidationProblem("", ValidationCodes.InvalidType, "The definition must be a JSON object."));
        }

        var problems = new List<ValidationProblem>();
        FindUnknownMembers(root, Options.GetTypeInfo(typeof(AuthVersionDefinition)), "", problems);
        if (problems.Count > 0)
        {
            return new DefinitionParseResult(null, problems);
        }

        try
        {
            return new DefinitionParseResult(root.Deserialize<AuthVersionDefinition>(Options), []);
        }
        catch (JsonException exception)
        {
            return Failed(new ValidationProblem(ToPointer(exception.Path), ValidationCodes.InvalidType, "This value has the wrong JSON type."));
        }
    }

    private static DefinitionParseResult Failed(ValidationProblem problem) => new(null, [problem]);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Walks the document against the serializer's own contract so every unknown member is reported at once.</summary>
    private static void FindUnknownMembers(JsonNode? node, JsonTypeInfo typeInfo, string pointer, List<ValidationProblem> problems)
    {
        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var property = typeInfo.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                    var memberPointer = JsonPointer.Append(pointer, name);
                    if (property is null)
                    {
                        problems.Add(new ValidationProblem(memberPointer, ValidationCodes.UnknownMember, $"Unknown member '{name}'."));
                    }
                    else
                    {
                        FindUnknownMembers(value, Options.GetTypeInfo(property.PropertyType), memberPointer, problems);
                    }
                }

                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray array && typeInfo.ElementType is { } elementType:
                var elementInfo = Options.GetTypeInfo(elementType);
                for (var i = 0; i < array.Count; i++)
                {
                    FindUnknownMembers(array[i], elementInfo, JsonPointer.Append(pointer, i), problems);
                }

                break;
        }
    }

    /// <summary>The JSON pointer of the member being read where <paramref name="json"/> stops being valid JSON.</summary>
    private static string LocateSyntaxError(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var open = new List<OpenContainer>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        open[^1].Member = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        StartValue(open);
                        open.Add(new OpenContainer(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.RemoveAt(open.Count - 1);
                        break;
                    default:
                        StartValue(open);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return open.Aggregate("", (pointer, container) => container switch
            {
                { IsArray: true, Index: >= 0 } => JsonPointer.Append(pointer, container.Index),
                { IsArray: false, Member: { } member } => JsonPointer.Append(pointer, member),
                _ => pointer,
            });
        }

        return "";

        static void StartValue(List<OpenContainer> open)
        {
            if (open is [.., { IsArray: true } array])
            {
                array.Index++;
            }
        }
    }

    private sealed class OpenContainer(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; } = -1;
        public string? Member { get; set; }
    }

    /// <summary>Turns a System.Text.Json path (<c>$.fields[2].key</c>, <c>$['a.b']</c>) into a JSON pointer.</summary>
    internal static string ToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        var pointer = "";
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                pointer = JsonPointer.Append(pointer, path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                pointer = JsonPointer.Append(pointer, path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                end = end < 0 ? path.Length : end;
                pointer = JsonPointer.Append(pointer, path[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return pointer;
    }
}
