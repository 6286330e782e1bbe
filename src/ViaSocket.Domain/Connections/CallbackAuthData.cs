using System.Buffers;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// Builds a connection's authData from its field values and the OAuth callback's query parameters (SPEC section 3).
/// The parameters come from the user's browser, so nothing in them may replace a field value or a platform key:
/// <list type="bullet">
/// <item><c>code</c> lands at <c>context.authData.code</c>, as the Access Token API expects.</item>
/// <item>A version that declares <c>callbackParameters</c> keeps exactly those, each checked (length, format or
/// pattern, URL-safe characters by default), under <c>context.authData.callback</c>; everything else is dropped.</item>
/// <item>A version that declares none keeps the other parameters at the top level as before, except where a key is
/// already taken (a field value, <c>code</c>).</item>
/// </list>
/// </summary>
public static class CallbackAuthData
{
    /// <summary>The longest value a kept callback parameter may have.</summary>
    public const int MaxValueLength = 256;

    /// <summary>RFC 3986 unreserved characters: what a value without a declared format or pattern may contain.</summary>
    private static readonly SearchValues<char> UnreservedChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~");

    /// <summary>A new authData object, or the reason the callback cannot be accepted (the message never quotes a value).</summary>
    /// <param name="fields">The connection's checked field values; not changed.</param>
    public static (JsonObject? AuthData, string? Problem) Build(
        JsonObject fields, IReadOnlyList<CallbackParameterDefinition> declared, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(parameters);
        var authData = (JsonObject)fields.DeepClone();
        if (parameters.TryGetValue(AuthDataKeys.Code, out var code))
        {
            authData[AuthDataKeys.Code] = code;
        }

        if (declared.Count == 0)
        {
            foreach (var (name, value) in parameters)
            {
                if (!authData.ContainsKey(name))
                {
                    authData[name] = value;
                }
            }

            return (authData, null);
        }

        var kept = new JsonObject();
        foreach (var parameter in declared)
        {
            if (!parameters.TryGetValue(parameter.Name, out var value))
            {
                if (parameter.Required)
                {
                    return (null, $"The callback has no '{parameter.Name}' parameter, which this auth version requires.");
                }

                continue;
            }

            if (Problem(parameter, value) is { } problem)
            {
                return (null, "The callback parameter " + problem);
            }

            kept[parameter.Name] = value;
        }

        authData[AuthDataKeys.Callback] = kept;
        return (authData, null);
    }

    /// <summary>Why <paramref name="value"/> cannot be kept for <paramref name="parameter"/> (a sentence starting with its quoted name), or null.</summary>
    public static string? Problem(CallbackParameterDefinition parameter, string value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length is 0 or > MaxValueLength)
        {
            return $"'{parameter.Name}' must have 1 to {MaxValueLength} characters.";
        }

        if (parameter.Format is null && parameter.Pattern is null)
        {
            return value.AsSpan().IndexOfAnyExcept(UnreservedChars) < 0 ? null : $"'{parameter.Name}' may only contain letters, digits and '-', '.', '_', '~'.";
        }

        // The same checks as a field value: no control characters, then the format and the pattern.
        var asField = new FieldDefinition { Key = parameter.Name, Label = parameter.Name, Format = parameter.Format, Pattern = parameter.Pattern };
        return FieldFormatRules.Problem(asField, value)?.Message;
    }
}
