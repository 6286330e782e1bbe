using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Acornima;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// Checks an <see cref="AuthVersionDefinition"/> and reports every problem at once, each with the JSON
/// pointer of the offending member (SPEC section 5).
/// </summary>
public static partial class DefinitionValidator
{
    /// <summary>authData members filled by the platform (callback parameters and block results) that a field key may not shadow.</summary>
    public static IReadOnlySet<string> ReservedFieldKeys { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        AuthDataKeys.Code, AuthDataKeys.AccessTokenCode, AuthDataKeys.RefreshTokenCode, AuthDataKeys.RevokeTokenCode,
        AuthDataKeys.TestMe, AuthDataKeys.IdToken, AuthDataKeys.Callback, "state", "error", "error_description", "error_uri", "iss",
    };

    /// <summary>JavaScript globals a script template expression may call besides <c>context</c>.</summary>
    public static IReadOnlySet<string> ScriptGlobals { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "btoa", "atob", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI", "JSON", "Math",
        "String", "Number", "Boolean", "Array", "Object", "Date", "parseInt", "parseFloat", "isNaN", "isFinite",
        "undefined", "NaN", "Infinity",
    };

    /// <summary>Authorize-URL parameters the service sets itself; extraParams may not override them.</summary>
    public static IReadOnlySet<string> ReservedAuthorizeParameters { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method",
    };

    private static readonly IReadOnlySet<string> ContextMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        ContextKeys.AuthData, ContextKeys.ClientId, ContextKeys.ClientSecret, ContextKeys.ClientBasicAuth, ContextKeys.RedirectUri,
        ContextKeys.CodeVerifier, ContextKeys.Scopes, ContextKeys.InputData,
    };

    private static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
    };

    private static readonly SearchValues<char> HeaderNameChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly ParserOptions FunctionBodyOptions = new()
    {
        // Block code is the body of an async function: return and await are legal at its top level.
        AllowReturnOutsideFunction = true,
        AllowAwaitOutsideFunction = true,
    };

    /// <param name="storedClientSecret">The secret kept from an earlier draft, which a definition without one goes on using.</param>
    public static IReadOnlyList<ValidationProblem> Validate(AuthVersionDefinition definition, string? storedClientSecret = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = new List<ValidationProblem>();

        var size = Encoding.UTF8.GetByteCount(DefinitionJson.Serialize(definition));
        if (size > DefinitionLimits.MaxDocumentBytes)
        {
            problems.Add(new("", ValidationCodes.TooLarge, $"The definition is {size} bytes; the limit is {DefinitionLimits.MaxDocumentBytes}."));
        }

        ValidateFields(definition.Fields ?? [], problems);
        ValidateAuthorization(definition.Authorization, problems);
        AuthorizationRequestRules.Check(definition, problems);
        ValidateBlock(definition.AccessToken, "/" + BlockKinds.AccessToken, required: true, problems);
        ValidateBlock(definition.RefreshToken, "/" + BlockKinds.RefreshToken, required: false, problems);
        ValidateBlock(definition.RevokeToken, "/" + BlockKinds.RevokeToken, required: false, problems);
        // Validated ID token claims name the account as well as a Test Me call would (docs/id-tokens.md).
        ValidateBlock(definition.TestMe, "/" + BlockKinds.TestMe, required: !IdTokenPolicy.ReplacesTestMe(definition), problems);
        CheckTemplate(definition.ConnectionLabel, "/connectionLabel", problems);
        CheckTemplate(definition.UniqueIdentifier, "/uniqueIdentifier", problems);
        problems.AddRange(DisplayTemplateRules.Check(definition));
        AllowedUrlRules.Validate(definition.AllowedUrls ?? [], definition.Append, problems, (source, pointer) => CheckTemplate(source, pointer, problems));
        PerAccountRules.Validate(definition, problems, (source, pointer) => CheckTemplate(source, pointer, problems));
        ValidateAppend(definition.Append, problems);
        ValidateTokenExpiry(definition.TokenExpiry, problems);
        RefreshTokenPolicyRules.Check(definition.RefreshTokenPolicy, problems);
        RefreshOnValidation.Check(definition.RefreshOnStatus, definition.RefreshOn, problems);
        problems.AddRange(ClientSecretExposure.Find(definition, definition.Authorization?.ClientSecret ?? storedClientSecret));
        return problems;
    }

    // \z, not $: $ also matches before a trailing "\n".
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex FieldKeyPattern();

    private static void ValidateFields(IReadOnlyList<FieldDefinition?> fields, List<ValidationProblem> problems)
    {
        if (fields.Count > DefinitionLimits.MaxFields)
        {
            problems.Add(new("/fields", ValidationCodes.TooMany, $"At most {DefinitionLimits.MaxFields} fields are allowed."));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < fields.Count; i++)
        {
            var pointer = JsonPointer.Append("/fields", i);
            if (fields[i] is not { } field)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "A field cannot be null."));
                continue;
            }

            var key = field.Key ?? "";
            if (!FieldKeyPattern().IsMatch(key))
            {
                problems.Add(new(pointer + "/key", ValidationCodes.InvalidFieldKey,
                    "A field key must start with a letter or '_' and contain only letters, digits and '_'."));
            }
            else if (ReservedFieldKeys.Contains(key))
            {
                problems.Add(new(pointer + "/key", ValidationCodes.ReservedFieldKey, $"'{key}' is reserved in authData."));
            }
            else if (!seen.Add(key))
            {
                problems.Add(new(pointer + "/key", ValidationCodes.DuplicateFieldKey, $"The key '{key}' is used by another field."));
            }

            FieldFormatValidation.Check(field, pointer, problems);
            switch (field.Type)
            {
                case FieldTypes.String or FieldTypes.Secret:
                    break;
                case FieldTypes.Select when field.Options is not { Count: > 0 }:
                    problems.Add(new(pointer + "/options", ValidationCodes.SelectWithoutOptions, "A select field needs options."));
                    break;
                case FieldTypes.Select when field.Default is { } value && !field.Options.Contains(value):
                    problems.Add(new(pointer + "/default", ValidationCodes.DefaultNotInOptions, "The default must be one of the options."));
                    break;
                case FieldTypes.Select:
                    break;
                default:
                    problems.Add(new(pointer + "/type", ValidationCodes.UnknownFieldType,
                        $"Unknown field type '{field.Type}'; use string, secret or select."));
                    break;
            }
        }
    }

    private static void ValidateAuthorization(AuthorizationDefinition? authorization, List<ValidationProblem> problems)
    {
        if (authorization is null)
        {
            problems.Add(new("/authorization", ValidationCodes.Required, "The authorization section is required."));
            return;
        }

        if (string.IsNullOrWhiteSpace(authorization.Url))
        {
            problems.Add(new("/authorization/url", ValidationCodes.Required, "The authorize URL is required."));
        }
        else
        {
            CheckUrlTemplate(authorization.Url, "/authorization/url", problems, valueMayStartUrl: false);
        }

        if (string.IsNullOrWhiteSpace(authorization.ClientId))
        {
            problems.Add(new("/authorization/clientId", ValidationCodes.Required, "The client id is required."));
        }

        if (authorization.Issuer is { } issuer)
        {
            CheckAbsoluteUrl(issuer, "/authorization/issuer", problems);
        }
        else if (authorization.RequireIssuerParameter)
        {
            problems.Add(new("/authorization/requireIssuerParameter", ValidationCodes.IssuerRequired, "Requiring the iss parameter needs the issuer it must equal: set authorization.issuer."));
        }

        if (authorization.JwksUrl is { } jwksUrl)
        {
            CheckAbsoluteUrl(jwksUrl, "/authorization/jwksUrl", problems);
        }

        var extraParams = authorization.ExtraParams ?? new Dictionary<string, string>();
        CheckMapSize(extraParams, "/authorization/extraParams", problems);
        foreach (var (name, value) in extraParams)
        {
            var pointer = JsonPointer.Append("/authorization/extraParams", name);
            if (ReservedAuthorizeParameters.Contains(name))
            {
                problems.Add(new(pointer, ValidationCodes.ReservedParameter, $"'{name}' is set by the service and cannot be overridden."));
            }

            CheckTemplate(value, pointer, problems, required: true);
        }
    }

    private static void ValidateBlock(ApiBlock? block, string pointer, bool required, List<ValidationProblem> problems)
    {
        if (block is null)
        {
            if (required)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "This API block is required."));
            }

            return;
        }

        var hasCode = !string.IsNullOrWhiteSpace(block.Code);
        if (hasCode && block.Request is not null)
        {
            problems.Add(new(pointer, ValidationCodes.BlockBothCodeAndRequest, "A block has either code or a request, not both."));
        }
        else if (!hasCode && block.Request is null)
        {
            problems.Add(new(pointer, ValidationCodes.BlockEmpty, "A block needs code or a request."));
        }

        if (hasCode)
        {
            CheckCode(block.Code!, pointer + "/code", problems);
        }

        if (block.Request is { } request)
        {
            ValidateRequest(request, pointer + "/request", problems);
        }

        OutcomeRuleValidation.Check(block.Outcomes, pointer, problems);
    }

    private static void CheckCode(string code, string pointer, List<ValidationProblem> problems)
    {
        var bytes = Encoding.UTF8.GetByteCount(code);
        if (bytes > DefinitionLimits.MaxCodeBytes)
        {
            problems.Add(new(pointer, ValidationCodes.TooLarge, $"The code is {bytes} bytes; the limit is {DefinitionLimits.MaxCodeBytes}."));
            return;
        }

        try
        {
            if (DynamicImport.Find(new Parser(FunctionBodyOptions).ParseScript(code)) is { } import)
            {
                var start = import.Location.Start;
                problems.Add(new(pointer, ValidationCodes.DynamicImport, $"Line {start.Line}, column {start.Column + 1}: {DynamicImport.Description}."));
            }
        }
        catch (ParseErrorException exception)
        {
            problems.Add(new(pointer, ValidationCodes.CodeSyntax,
                $"Line {exception.LineNumber}, column {exception.Column + 1}: {exception.Description}"));
        }
    }

    private static void ValidateRequest(RequestDefinition request, string pointer, List<ValidationProblem> problems)
    {
        if (!Methods.Contains(request.Method ?? ""))
        {
            problems.Add(new(pointer + "/method", ValidationCodes.UnknownMethod,
                $"Unknown method '{request.Method}'; use GET, POST, PUT, PATCH, DELETE or HEAD."));
        }

        if (string.IsNullOrWhiteSpace(request.Url))
        {
            problems.Add(new(pointer + "/url", ValidationCodes.Required, "The request URL is required."));
        }
        else
        {
            CheckUrlTemplate(request.Url, pointer + "/url", problems, valueMayStartUrl: true);
        }

        CheckHeaderNames(request.Headers, pointer + "/headers", problems);
        CheckTemplateMap(request.Headers, pointer + "/headers", problems);
        CheckTemplateMap(request.Query, pointer + "/query", problems);
        CheckTemplateMap(request.Body, pointer + "/body", problems);

        if (request.BodyType is not (BodyTypes.Json or BodyTypes.Form or BodyTypes.Raw))
        {
            problems.Add(new(pointer + "/bodyType", ValidationCodes.UnknownBodyType, $"Unknown body type '{request.BodyType}'; use json, form or raw."));
        }
        else if (request.BodyType == BodyTypes.Raw && request.Body is { Count: > 0 })
        {
            problems.Add(new(pointer + "/body", ValidationCodes.BodyConflict, "A raw request sends rawBody; leave body empty."));
        }
        else if (request.BodyType != BodyTypes.Raw && request.RawBody is not null)
        {
            problems.Add(new(pointer + "/rawBody", ValidationCodes.BodyConflict, "rawBody is only sent when bodyType is raw."));
        }

        CheckTemplate(request.RawBody, pointer + "/rawBody", problems);
    }

    private static void ValidateAppend(AppendDefinition? append, List<ValidationProblem> problems)
    {
        if (append is null)
        {
            return;
        }

        CheckHeaderNames(append.Headers, "/append/headers", problems);
        CheckTemplateMap(append.Headers, "/append/headers", problems);
        CheckTemplateMap(append.Query, "/append/query", problems);
        CheckTemplateMap(append.Body, "/append/body", problems);
    }

    private static void ValidateTokenExpiry(TokenExpiryDefinition? expiry, List<ValidationProblem> problems)
    {
        if (expiry is null)
        {
            return;
        }

        if (expiry.Unit is not (ExpiryUnits.Seconds or ExpiryUnits.Milliseconds))
        {
            problems.Add(new("/tokenExpiry/unit", ValidationCodes.InvalidExpiryUnit, $"Unknown unit '{expiry.Unit}'; use seconds or milliseconds."));
        }

        if (expiry.Never && (expiry.ExpiresInPath is not null || expiry.ExpiresAtPath is not null || expiry.DefaultLifetimeSeconds is not null))
        {
            problems.Add(new("/tokenExpiry/never", ValidationCodes.ExpiryConflict,
                "Tokens that never expire cannot also have an expiry path or a default lifetime."));
        }

        if (expiry.ExpiresInPath is not null && expiry.ExpiresAtPath is not null)
        {
            problems.Add(new("/tokenExpiry/expiresAtPath", ValidationCodes.ExpiryConflict, "Give either expiresInPath or expiresAtPath, not both."));
        }

        CheckDottedPath(expiry.ExpiresInPath, "/tokenExpiry/expiresInPath", problems);
        CheckDottedPath(expiry.ExpiresAtPath, "/tokenExpiry/expiresAtPath", problems);

        if (expiry.DefaultLifetimeSeconds is <= 0)
        {
            problems.Add(new("/tokenExpiry/defaultLifetimeSeconds", ValidationCodes.NegativeNumber, "The default lifetime must be a positive number of seconds."));
        }

        if (expiry.RefreshMarginSeconds is < 0)
        {
            problems.Add(new("/tokenExpiry/refreshMarginSeconds", ValidationCodes.NegativeNumber, "The refresh margin cannot be negative."));
        }
    }

    private static void CheckDottedPath(string? path, string pointer, List<ValidationProblem> problems)
    {
        if (path is not null && !Tokens.DottedPath.IsValid(path))
        {
            problems.Add(new(pointer, ValidationCodes.InvalidPath, "Use a dotted path such as data.expires_in."));
        }
    }

    private static void CheckHeaderNames(IReadOnlyDictionary<string, string>? headers, string pointer, List<ValidationProblem> problems)
    {
        foreach (var name in headers?.Keys ?? [])
        {
            if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(HeaderNameChars) >= 0)
            {
                problems.Add(new(JsonPointer.Append(pointer, name), ValidationCodes.InvalidHeaderName, $"'{name}' is not a valid header name."));
            }
        }
    }

    private static void CheckMapSize(IReadOnlyDictionary<string, string> map, string pointer, List<ValidationProblem> problems)
    {
        if (map.Count > DefinitionLimits.MaxMapEntries)
        {
            problems.Add(new(pointer, ValidationCodes.TooMany, $"At most {DefinitionLimits.MaxMapEntries} entries are allowed."));
        }
    }

    private static void CheckTemplateMap(IReadOnlyDictionary<string, string>? map, string pointer, List<ValidationProblem> problems)
    {
        if (map is null)
        {
            return;
        }

        CheckMapSize(map, pointer, problems);
        foreach (var (name, source) in map)
        {
            CheckTemplate(source, JsonPointer.Append(pointer, name), problems, required: true);
        }
    }

    private static void CheckUrlTemplate(string source, string pointer, List<ValidationProblem> problems, bool valueMayStartUrl)
    {
        if (CheckTemplate(source, pointer, problems) is { } template && UrlTemplateRules.Check(template, pointer, valueMayStartUrl, problems))
        {
            CheckAbsoluteUrl(template.WithPlaceholders("x"), pointer, problems);
        }
    }

    internal static void CheckAbsoluteUrl(string url, string pointer, List<ValidationProblem> problems)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsHttp(uri) || string.IsNullOrEmpty(uri.Host))
        {
            problems.Add(new(pointer, ValidationCodes.InvalidUrl, "This must be an absolute http(s) URL."));
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            problems.Add(new(pointer, ValidationCodes.InsecureUrl, "Use https (http is allowed for loopback hosts only)."));
        }
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp;

    /// <summary>Parses a template and checks what it references; returns it when it parsed.</summary>
    private static Template? CheckTemplate(string? source, string pointer, List<ValidationProblem> problems, bool required = false)
    {
        if (source is null)
        {
            if (required)
            {
                problems.Add(new(pointer, ValidationCodes.Required, "A value is required."));
            }

            return null;
        }

        if (source.Length > DefinitionLimits.MaxTemplateLength)
        {
            problems.Add(new(pointer, ValidationCodes.TooLarge, $"A template may have at most {DefinitionLimits.MaxTemplateLength} characters."));
            return null;
        }

        if (!Template.TryParse(source, out var template, out var error))
        {
            problems.Add(new(pointer, ValidationCodes.TemplateSyntax, $"Template syntax error at {error}"));
            return null;
        }

        foreach (var identifier in template!.FreeIdentifiers)
        {
            if (identifier != "context" && !ScriptGlobals.Contains(identifier))
            {
                problems.Add(new(pointer, ValidationCodes.UnknownTemplateRoot,
                    $"Templates can only read 'context' (e.g. context.authData.x), not '{identifier}'."));
            }
        }

        foreach (var member in template.ContextMembersRead)
        {
            if (!ContextMembers.Contains(member))
            {
                problems.Add(new(pointer, ValidationCodes.UnknownContextMember,
                    $"context has no member '{member}'; use one of {string.Join(", ", ContextMembers)}."));
            }
        }

        return template;
    }
}
