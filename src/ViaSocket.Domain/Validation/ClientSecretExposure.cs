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
/// <remarks>
/// A secret shorter than <see cref="MinSecretLength"/> is refused rather than looked for or masked less: a short value
/// matches ordinary text (masking 'secret' also masked the word in <c>client_secret</c>, and would corrupt a token that
/// happens to contain it), while skipping it or masking only whole words would show it verbatim in a test run. Real
/// client secrets are long random strings, so refusing short ones costs nothing and keeps masking exact.
/// </remarks>
public static class ClientSecretExposure
{
    /// <summary>Shorter secrets would match ordinary text; they are refused (<see cref="ValidationCodes.ClientSecretTooShort"/>).</summary>
    public const int MinSecretLength = 8;

    /// <summary>
    /// Every member of <paramref name="definition"/> (its client secret left out) that shows <paramref name="secret"/>,
    /// or the secret itself when it is too short to be found reliably.
    /// </summary>
    public static IReadOnlyList<ValidationProblem> Find(AuthVersionDefinition definition, string? secret)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (secret is { Length: > 0 and < MinSecretLength })
        {
            // The pointer names where the secret is set, even when the draft goes on using the stored one.
            return [new("/authorization/clientSecret", ValidationCodes.ClientSecretTooShort,
                $"A client secret must have at least {MinSecretLength} characters: a shorter one cannot be masked reliably in test runs. Use the secret the provider issued.")];
        }

        if (SecretMask.For(secret) is not { } mask)
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
