using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// <c>connectionLabel</c> and <c>uniqueIdentifier</c> are shown to users and engines (connection lists, credential
/// answers), so they may read field values, the Test Me result and the other non-secret members of <c>context</c>, but
/// never token material, the authorization code, the client secret, the PKCE verifier or a secret field, nor a whole
/// object that holds them (<c>context</c>, <c>context.authData</c>), nor a member chosen by a computed key: what such
/// a template shows could only be known once it shows it. Appended headers, query and body are where tokens go.
/// </summary>
/// <remarks>
/// Identifiers other than <c>context</c> (<c>globalThis</c>, <c>arguments</c>) and unknown members of <c>context</c> are
/// refused for every template by <see cref="DefinitionValidator"/> already and are not reported twice.
/// </remarks>
public static class DisplayTemplateRules
{
    private const string Instead = "Read the provider account from the Test Me result (${context.authData.testme.email}) or a field value (${context.authData.subdomain}).";

    /// <summary>Members of authData that hold the tokens and the authorization code.</summary>
    private static readonly IReadOnlySet<string> TokenMembers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        AuthDataKeys.Code, AuthDataKeys.AccessTokenCode, AuthDataKeys.RefreshTokenCode, AuthDataKeys.RevokeTokenCode,
    };

    private static readonly IReadOnlySet<string> SecretContextMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        ContextKeys.ClientSecret, ContextKeys.ClientBasicAuth, ContextKeys.CodeVerifier,
    };

    /// <summary>Members every object inherits: <c>context.authData.valueOf()</c> is the whole authData.</summary>
    internal static readonly IReadOnlySet<string> InheritedMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "constructor", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
        "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
    };

    public static IReadOnlyList<ValidationProblem> Check(AuthVersionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var secretFields = (definition.Fields ?? [])
            .Where(field => field is { Type: FieldTypes.Secret, Key: not null })
            .Select(field => field!.Key!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<ValidationProblem>();
        CheckTemplate(definition.ConnectionLabel, "connectionLabel", secretFields, problems);
        CheckTemplate(definition.UniqueIdentifier, "uniqueIdentifier", secretFields, problems);
        return problems;
    }

    private static void CheckTemplate(string? source, string member, IReadOnlySet<string> secretFields, List<ValidationProblem> problems)
    {
        // A template that does not parse is reported by DefinitionValidator.
        if (source is null || !Template.TryParse(source, out var template, out _))
        {
            return;
        }

        var (reads, readsThis) = TemplateReads.Of(template!);
        var refusals = reads.Select(read => Refusal(read, secretFields)).OfType<string>().ToList();
        if (readsThis)
        {
            refusals.Add("cannot use 'this': what it is depends on how the expression is called. Read members of context by name.");
        }

        foreach (var refusal in refusals.Distinct(StringComparer.Ordinal))
        {
            problems.Add(new("/" + member, ValidationCodes.LabelReadsSecret,
                $"{member} is shown to users and engines, so it {refusal} {Instead}"));
        }
    }

    /// <summary>Why <paramref name="read"/> is not allowed in a displayed template, or null when it is.</summary>
    private static string? Refusal(ContextRead read, IReadOnlySet<string> secretFields)
    {
        var segments = read.Path.Segments;
        var path = read.Path.Text;
        if (segments.Count == 0)
        {
            return read.IndexedDynamically
                ? "cannot index context with a computed key: which member it reads cannot be checked, and context holds the tokens and the client secret."
                : "cannot read context as a whole (JSON.stringify(context), passing, spreading or aliasing it): context holds the tokens and the client secret.";
        }

        var first = segments[0].Name;
        if (SecretContextMembers.Contains(first))
        {
            return $"cannot read {path}: it is a secret.";
        }

        if (first != ContextKeys.AuthData)
        {
            // The other members hold no secret; unknown ones are refused as such by DefinitionValidator.
            return null;
        }

        if (segments.Count == 1)
        {
            return read.IndexedDynamically
                ? $"cannot index {path} with a computed key: which member it reads cannot be checked, and authData holds the tokens. Write the member's name."
                : $"cannot read {path} as a whole (JSON.stringify, Object.values, passing or aliasing it): authData holds the tokens.";
        }

        var second = segments[1].Name;
        if (TokenMembers.Contains(second))
        {
            return $"cannot read {path}: context.authData.{second} is token material.";
        }

        if (secretFields.Contains(second))
        {
            return $"cannot read {path}: the field '{second}' is a secret field.";
        }

        return InheritedMembers.Contains(second)
            ? $"cannot read {path}: {second} is not a member of authData but of every object, and reaches the whole authData."
            : null;
    }
}
