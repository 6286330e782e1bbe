using System.Text.RegularExpressions;
using Acornima;
using Acornima.Ast;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// Checks the shape of the authorize request and of client authentication: scope separator, required and optional
/// scopes, renamed and omitted parameters, PKCE required, and the client authentication mode.
/// </summary>
internal static partial class AuthorizationRequestRules
{
    public const int MaxCustomSeparatorLength = 8;

    private const string Pointer = "/authorization";

    public static void Check(AuthVersionDefinition definition, List<ValidationProblem> problems)
    {
        if (definition.Authorization is not { } authorization)
        {
            return;
        }

        if (authorization.Pkce is not (PkceModes.S256 or PkceModes.Plain or PkceModes.None))
        {
            problems.Add(new(Pointer + "/pkce", ValidationCodes.UnknownPkce, $"Unknown PKCE mode '{authorization.Pkce}'; use S256, plain or none."));
        }

        var separator = CheckSeparator(authorization, problems);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        CheckScopes(authorization.Scopes ?? [], Pointer + "/scopes", separator, seen, problems);
        CheckScopes(authorization.OptionalScopes ?? [], Pointer + "/optionalScopes", separator, seen, problems);
        CheckParameterNames(authorization, problems);
        CheckPkce(authorization, definition.AccessToken, problems);
        CheckClientAuthentication(definition, authorization.ClientAuthentication, problems);
    }

    /// <summary>The separator's literal as it appears inside scopes, or null when the separator is unusable.</summary>
    private static string? CheckSeparator(AuthorizationDefinition authorization, List<ValidationProblem> problems)
    {
        var custom = authorization.CustomScopeSeparator;
        switch (authorization.ScopeSeparator)
        {
            case ScopeSeparators.Space:
                return " ";
            case ScopeSeparators.Comma:
                return ",";
            case ScopeSeparators.Plus:
                return "+";
            case ScopeSeparators.Custom when custom is { Length: > 0 and <= MaxCustomSeparatorLength } && custom.All(IsSeparatorChar):
                return custom;
            case ScopeSeparators.Custom:
                problems.Add(new(Pointer + "/customScopeSeparator", ValidationCodes.InvalidScopeSeparator,
                    $"A custom scope separator is 1-{MaxCustomSeparatorLength} printable ASCII characters other than letters and digits, e.g. ';'."));
                return null;
            default:
                problems.Add(new(Pointer + "/scopeSeparator", ValidationCodes.UnknownSeparator,
                    $"Unknown scope separator '{authorization.ScopeSeparator}'; use space, comma, plus or custom."));
                return null;
        }
    }

    // Printable ASCII punctuation and space: a letter or digit would split ordinary scope names.
    private static bool IsSeparatorChar(char c) => c is >= ' ' and <= '~' && !char.IsAsciiLetterOrDigit(c);

    private static void CheckScopes(IReadOnlyList<string?> scopes, string pointer, string? separator, HashSet<string> seen, List<ValidationProblem> problems)
    {
        if (scopes.Count > DefinitionLimits.MaxScopes)
        {
            problems.Add(new(pointer, ValidationCodes.TooMany, $"At most {DefinitionLimits.MaxScopes} scopes are allowed."));
        }

        for (var i = 0; i < scopes.Count; i++)
        {
            var entry = JsonPointer.Append(pointer, i);
            var scope = scopes[i];
            if (string.IsNullOrWhiteSpace(scope))
            {
                problems.Add(new(entry, ValidationCodes.EmptyScope, "A scope cannot be empty."));
            }
            else if (scope.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || (separator is not null && scope.Contains(separator, StringComparison.Ordinal)))
            {
                problems.Add(new(entry, ValidationCodes.ScopeContainsSeparator,
                    "Enter one scope per entry: a scope cannot contain spaces, control characters or the scope separator."));
            }
            else if (!seen.Add(scope))
            {
                problems.Add(new(entry, ValidationCodes.DuplicateScope, $"The scope '{scope}' is listed twice."));
            }
        }
    }

    // RFC 3986 unreserved characters: a name that needs no encoding and cannot smuggle '&' or '='.
    [GeneratedRegex(@"\A[A-Za-z0-9._~-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterNamePattern();

    private static void CheckParameterNames(AuthorizationDefinition authorization, List<ValidationProblem> problems)
    {
        var names = authorization.ParameterNames ?? new Dictionary<string, string>();
        var omitted = authorization.OmitParameters ?? [];
        var extraParams = authorization.ExtraParams ?? new Dictionary<string, string>();
        var sent = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var standard in AuthorizeParameters.All.Where(name => !omitted.Contains(name, StringComparer.Ordinal) && !names.ContainsKey(name)))
        {
            sent[standard] = standard;
        }

        foreach (var (standard, renamed) in names)
        {
            var pointer = JsonPointer.Append(Pointer + "/parameterNames", standard);
            if (!AuthorizeParameters.All.Contains(standard, StringComparer.Ordinal))
            {
                problems.Add(new(pointer, ValidationCodes.UnknownAuthorizeParameter,
                    $"'{standard}' is not a standard authorize parameter; use one of {string.Join(", ", AuthorizeParameters.All)}."));
            }
            else if (renamed is null || !ParameterNamePattern().IsMatch(renamed))
            {
                problems.Add(new(pointer, ValidationCodes.InvalidParameterName, "A parameter name is 1-64 letters, digits, '.', '_', '~' or '-'."));
            }
            else if (omitted.Contains(standard, StringComparer.Ordinal))
            {
                problems.Add(new(pointer, ValidationCodes.ParameterNameCollision, $"'{standard}' is both renamed and omitted."));
            }
            else if (!sent.TryAdd(renamed, standard) || (renamed != standard && AuthorizeParameters.All.Contains(renamed, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add(new(pointer, ValidationCodes.ParameterNameCollision, $"'{renamed}' is already the name of another authorize parameter."));
            }
            else if (extraParams.Keys.Contains(renamed, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add(new(pointer, ValidationCodes.ParameterNameCollision, $"'{renamed}' is also an extraParams entry; the service sets it."));
            }
        }

        for (var i = 0; i < omitted.Count; i++)
        {
            if (!AuthorizeParameters.Omittable.Contains(omitted[i] ?? ""))
            {
                problems.Add(new(JsonPointer.Append(Pointer + "/omitParameters", i), ValidationCodes.ParameterNotOmittable,
                    omitted[i] == AuthorizeParameters.State
                        ? "state is always sent: it is what ties the callback to this connection attempt (CSRF protection)."
                        : $"Only {string.Join(" and ", AuthorizeParameters.Omittable)} may be omitted; scope and the PKCE parameters follow the scopes and the pkce mode."));
            }
        }
    }

    private static void CheckPkce(AuthorizationDefinition authorization, ApiBlock? accessToken, List<ValidationProblem> problems)
    {
        if (!authorization.PkceRequired)
        {
            return;
        }

        if (authorization.Pkce == PkceModes.None)
        {
            problems.Add(new(Pointer + "/pkceRequired", ValidationCodes.PkceConflict, "PKCE cannot be required with pkce none; choose S256."));
        }
        else if (accessToken is not null && !SendsVerifier(accessToken))
        {
            problems.Add(new("/" + BlockKinds.AccessToken, ValidationCodes.PkceVerifierNotSent,
                "PKCE is required, but this block never reads context.codeVerifier: send it as code_verifier, or the provider refuses the code."));
        }
    }

    private static bool SendsVerifier(ApiBlock block)
    {
        if (block.Request is { } request)
        {
            return new[] { request.Url, request.RawBody }.Concat(request.Headers.Values).Concat(request.Query.Values).Concat(request.Body.Values)
                .Any(source => source is not null && Template.TryParse(source, out var template, out _)
                    && template!.ContextMembersRead.Contains(ContextKeys.CodeVerifier, StringComparer.Ordinal));
        }

        if (block.Code is not { } code)
        {
            return false;
        }

        try
        {
            var script = new Parser(new ParserOptions { AllowReturnOutsideFunction = true, AllowAwaitOutsideFunction = true }).ParseScript(code);
            return script.DescendantNodesAndSelf().Any(node =>
                node is Identifier { Name: ContextKeys.CodeVerifier } || node is StringLiteral { Value: ContextKeys.CodeVerifier });
        }
        catch (ParseErrorException)
        {
            // Reported as a syntax error by the block check.
            return true;
        }
    }

    private static void CheckClientAuthentication(AuthVersionDefinition definition, string? mode, List<ValidationProblem> problems)
    {
        if (mode is not (ClientAuthModes.Block or ClientAuthModes.Basic or ClientAuthModes.Body or ClientAuthModes.Both))
        {
            problems.Add(new(Pointer + "/clientAuthentication", ValidationCodes.UnknownClientAuthentication,
                $"Unknown client authentication '{mode}'; use block, basic, body or both."));
            return;
        }

        var basic = mode is ClientAuthModes.Basic or ClientAuthModes.Both;
        var body = mode is ClientAuthModes.Body or ClientAuthModes.Both;
        foreach (var (kind, block) in new[] { (BlockKinds.AccessToken, definition.AccessToken), (BlockKinds.RefreshToken, definition.RefreshToken), (BlockKinds.RevokeToken, definition.RevokeToken) })
        {
            if (block?.Request is not { } request)
            {
                continue;
            }

            var pointer = "/" + kind + "/request";
            if (basic && request.Headers.Keys.Contains("Authorization", StringComparer.OrdinalIgnoreCase))
            {
                problems.Add(new(pointer + "/headers", ValidationCodes.ClientAuthConflict, "clientAuthentication sends the Authorization header; remove it here."));
            }

            if (body && request.BodyType == BodyTypes.Raw)
            {
                problems.Add(new(pointer + "/bodyType", ValidationCodes.ClientAuthConflict, "clientAuthentication in the body needs a form or json body."));
            }
            else if (body && request.Body.Keys.FirstOrDefault(key => key is "client_id" or "client_secret") is { } member)
            {
                problems.Add(new(JsonPointer.Append(pointer + "/body", member), ValidationCodes.ClientAuthConflict, $"clientAuthentication adds {member} to the body; remove it here."));
            }
        }
    }
}
