using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Security;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// Finds the client secret's value written into the rest of a definition (pasted into block code, a header
/// template, a field default, or pre-encoded as a Basic header). The secret is write-only: the definition is shown
/// to every reader of the workspace's definitions, so its value may only come in through
/// <c>authorization.clientSecret</c> and be referred to as <c>context.clientSecret</c>.
/// </summary>
public static class ClientSecretExposure
{
    /// <summary>Shorter secrets (test values) would match ordinary text; they are not looked for.</summary>
    public const int MinSecretLength = 8;

    /// <summary>Every member of <paramref name="definition"/> (its client secret left out) that shows <paramref name="secret"/>.</summary>
    public static IReadOnlyList<ValidationProblem> Find(AuthVersionDefinition definition, string? secret)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (secret is not { Length: >= MinSecretLength } || SecretMask.For(secret) is not { } mask)
        {
            return [];
        }

        var withoutSecret = definition.Authorization is { } authorization
            ? definition with { Authorization = authorization with { ClientSecret = null } }
            : definition;
        var problems = new List<ValidationProblem>();
        Walk(JsonNode.Parse(DefinitionJson.Serialize(withoutSecret)), "", mask, problems);
        return problems;
    }

    private static void Walk(JsonNode? node, string pointer, SecretMask mask, List<ValidationProblem> problems)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var member = JsonPointer.Append(pointer, name);
                    if (mask.IsShownIn(name))
                    {
                        problems.Add(Exposed(member));
                    }

                    Walk(value, member, mask, problems);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], JsonPointer.Append(pointer, i), mask, problems);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text) && mask.IsShownIn(text):
                problems.Add(Exposed(pointer));
                break;
        }
    }

    private static ValidationProblem Exposed(string pointer) => new(pointer, ValidationCodes.ClientSecretExposed,
        "The client secret's value is written here, where every reader of the definition sees it; refer to it as context.clientSecret in code or ${context.clientSecret} in templates.");
}
