using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// <c>publicExtras</c> and <c>baseUrl</c> are handed to engines as metadata, so unlike a label they may read members of
/// a token response (Salesforce's <c>instance_url</c>), but never a token: no member whose name says token, secret,
/// password, verifier or assertion (<c>access_token</c>, <c>refresh_token</c>, <c>id_token</c>, <c>bot.bot_access_token</c>),
/// no whole token response, no authorization code, client secret, PKCE verifier or secret field, and nothing whose
/// member is chosen by a computed key.
/// </summary>
internal static class PublicTemplateRules
{
    private static readonly string[] SecretWords = ["token", "secret", "password", "verifier", "assertion"];

    private static readonly IReadOnlySet<string> TokenResponses = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        AuthDataKeys.AccessTokenCode, AuthDataKeys.RefreshTokenCode, AuthDataKeys.RevokeTokenCode,
    };

    /// <summary>Adds a problem at <paramref name="pointer"/> for each secret <paramref name="template"/> reads.</summary>
    public static void Check(Template template, string pointer, IReadOnlySet<string> secretFields, List<ValidationProblem> problems)
    {
        var (reads, readsThis) = TemplateReads.Of(template);
        var refusals = reads.Select(read => Refusal(read, secretFields)).OfType<string>().ToList();
        if (readsThis)
        {
            refusals.Add("cannot use 'this'; read members of context by name.");
        }

        foreach (var refusal in refusals.Distinct(StringComparer.Ordinal))
        {
            problems.Add(new(pointer, ValidationCodes.PublicValueReadsSecret,
                $"This value is shown to engines without the credentials call, so it {refusal} Tokens belong in append."));
        }
    }

    private static string? Refusal(ContextRead read, IReadOnlySet<string> secretFields)
    {
        var segments = read.Path.Segments;
        var path = read.Path.Text;
        if (segments.Count == 0)
        {
            return "cannot read context as a whole or by a computed key: context holds the tokens and the client secret.";
        }

        if (segments[0].Name is ContextKeys.ClientSecret or ContextKeys.CodeVerifier)
        {
            return $"cannot read {path}: it is a secret.";
        }

        if (segments[0].Name != ContextKeys.AuthData)
        {
            return null;
        }

        if (segments.Count == 1)
        {
            return $"cannot read {path} as a whole or by a computed key: authData holds the tokens.";
        }

        var member = segments[1].Name;
        if (string.Equals(member, AuthDataKeys.Code, StringComparison.OrdinalIgnoreCase) || secretFields.Contains(member))
        {
            return $"cannot read {path}: it is the authorization code or a secret field.";
        }

        // Below authData the first member is a namespace or a field key (accesstokencode itself says "token").
        var named = segments.Skip(1).Where(segment => DisplayTemplateRules.InheritedMembers.Contains(segment.Name))
            .Concat(segments.Skip(2).Where(segment => IsSecretName(segment.Name)))
            .Select(segment => segment.Name).FirstOrDefault();
        if (named is not null)
        {
            return $"cannot read {path}: '{named}' names token material or reaches a whole object.";
        }

        return TokenResponses.Contains(member) && (segments.Count == 2 || read.IndexedDynamically)
            ? $"cannot read {path} as a whole or by a computed key: a token response holds the tokens. Name the member, e.g. context.authData.{member}.instance_url."
            : null;
    }

    private static bool IsSecretName(string name) =>
        SecretWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
}
