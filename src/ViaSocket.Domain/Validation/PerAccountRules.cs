using System.Text.RegularExpressions;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;
using ViaSocket.Domain.Workspaces;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// Checks the members for per-account hosts and extras: <c>originHosts</c>, <c>baseUrl</c>, <c>callbackParameters</c>
/// and <c>publicExtras</c> (see docs/per-account-hosts.md).
/// </summary>
internal static partial class PerAccountRules
{
    public const int MaxOriginHosts = 20;
    public const int MaxCallbackParameters = 20;

    /// <summary>Callback parameters the protocol owns: <c>code</c> is kept at <c>context.authData.code</c> already.</summary>
    private static readonly IReadOnlySet<string> ProtocolParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        AuthDataKeys.Code, "state", "error", "error_description", "error_uri", "iss",
    };

    /// <param name="checkTemplate">Parses a template and reports its problems at the given pointer; null when it does not parse.</param>
    public static void Validate(AuthVersionDefinition definition, List<ValidationProblem> problems, Func<string, string, Template?> checkTemplate)
    {
        var secretFields = (definition.Fields ?? [])
            .Where(field => field is { Type: FieldTypes.Secret, Key: not null })
            .Select(field => field!.Key!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        ValidateOriginHosts(definition.OriginHosts ?? [], problems);
        ValidateBaseUrl(definition, secretFields, problems, checkTemplate);
        ValidateCallbackParameters(definition.CallbackParameters ?? [], problems);
        ValidatePublicExtras(definition.PublicExtras ?? new Dictionary<string, string>(), secretFields, problems, checkTemplate);
    }

    private static void ValidateOriginHosts(IReadOnlyList<string?> hosts, List<ValidationProblem> problems)
    {
        if (hosts.Count > MaxOriginHosts)
        {
            problems.Add(new("/originHosts", ValidationCodes.TooMany, $"At most {MaxOriginHosts} origin hosts are allowed."));
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            var (pattern, problem) = ReturnUrlHostPatterns.Normalize(hosts[i]);
            if (pattern is null)
            {
                problems.Add(new(JsonPointer.Append("/originHosts", i), ValidationCodes.InvalidOriginHost, $"This origin host {problem}."));
            }
            else if (pattern.StartsWith("http://", StringComparison.Ordinal) && !new Uri(pattern.Replace("*.", "", StringComparison.Ordinal)).IsLoopback)
            {
                problems.Add(new(JsonPointer.Append("/originHosts", i), ValidationCodes.InsecureUrl, "Credentials are only sent over https (http is allowed for loopback hosts)."));
            }
        }
    }

    private static void ValidateBaseUrl(AuthVersionDefinition definition, IReadOnlySet<string> secretFields, List<ValidationProblem> problems, Func<string, string, Template?> checkTemplate)
    {
        const string pointer = "/baseUrl";
        if (definition.BaseUrl is not { } source || checkTemplate(source, pointer) is not { } template)
        {
            return;
        }

        var shape = template.WithPlaceholders("x");
        if (shape.Contains('?', StringComparison.Ordinal) || shape.Contains('#', StringComparison.Ordinal))
        {
            problems.Add(new(pointer, ValidationCodes.InvalidUrl, "A base URL cannot have a query or fragment."));
        }
        else if (UrlTemplateRules.Check(template, pointer, valueMayStartUrl: true, problems))
        {
            DefinitionValidator.CheckAbsoluteUrl(shape, pointer, problems);
        }

        PublicTemplateRules.Check(template, pointer, secretFields, problems);
        var allowed = definition.AllowedUrls ?? [];
        if (template.IsLiteral && allowed.All(url => url is not null && !url.Contains("${", StringComparison.Ordinal))
            && Uri.TryCreate(source, UriKind.Absolute, out var literal)
            && !new AllowedUrlPolicy(allowed.Select(url => AllowedUrlPolicy.Prefix(url!))).IsAllowed(literal))
        {
            problems.Add(new(pointer, ValidationCodes.BaseUrlNotAllowed, "The base URL must be under one of the allowed URLs: credentials go only there."));
        }
    }

    private static void ValidateCallbackParameters(IReadOnlyList<CallbackParameterDefinition?> parameters, List<ValidationProblem> problems)
    {
        if (parameters.Count > MaxCallbackParameters)
        {
            problems.Add(new("/callbackParameters", ValidationCodes.TooMany, $"At most {MaxCallbackParameters} callback parameters are allowed."));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            var pointer = JsonPointer.Append("/callbackParameters", i);
            if (parameters[i] is not { } parameter)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "A callback parameter cannot be null."));
                continue;
            }

            var name = parameter.Name ?? "";
            if (!CallbackParameterName().IsMatch(name))
            {
                problems.Add(new(pointer + "/name", ValidationCodes.InvalidCallbackParameter,
                    "A callback parameter name has 1 to 64 letters, digits, '_', '.' or '-' and does not start with a digit, '.' or '-'."));
            }
            else if (ProtocolParameters.Contains(name))
            {
                problems.Add(new(pointer + "/name", ValidationCodes.ReservedCallbackParameter,
                    $"'{name}' belongs to the OAuth protocol; the code is at context.authData.code already."));
            }
            else if (!seen.Add(name))
            {
                problems.Add(new(pointer + "/name", ValidationCodes.DuplicateCallbackParameter, $"The callback parameter '{name}' is listed twice."));
            }

            FieldFormatValidation.Check(new FieldDefinition { Key = name, Format = parameter.Format, Pattern = parameter.Pattern }, pointer, problems);
        }
    }

    private static void ValidatePublicExtras(
        IReadOnlyDictionary<string, string> extras, IReadOnlySet<string> secretFields, List<ValidationProblem> problems, Func<string, string, Template?> checkTemplate)
    {
        if (extras.Count > DefinitionLimits.MaxMapEntries)
        {
            problems.Add(new("/publicExtras", ValidationCodes.TooMany, $"At most {DefinitionLimits.MaxMapEntries} public extras are allowed."));
        }

        foreach (var (name, source) in extras)
        {
            var pointer = JsonPointer.Append("/publicExtras", name);
            if (!ExtraName().IsMatch(name))
            {
                problems.Add(new(pointer, ValidationCodes.InvalidExtraName, "A public extra's name has 1 to 64 letters, digits or '_' and does not start with a digit."));
            }

            if (source is null)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "A value is required."));
            }
            else if (checkTemplate(source, pointer) is { } template)
            {
                PublicTemplateRules.Check(template, pointer, secretFields, problems);
            }
        }
    }

    // \z, not $: $ also matches before a trailing "\n".
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_.\-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallbackParameterName();

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExtraName();
}
