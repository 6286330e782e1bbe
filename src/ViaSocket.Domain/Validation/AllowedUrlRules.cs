using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// Checks <c>allowedUrls</c>: absolute https base URLs (http for loopback), possibly templates for per-account hosts
/// (<c>https://${context.authData.subdomain}.zendesk.com/api</c>, <c>${context.authData.accesstokencode.instance_url}/services</c>),
/// optionally written with a trailing <c>/**</c>.
/// </summary>
internal static class AllowedUrlRules
{
    /// <param name="checkTemplate">Parses a template and reports its problems at the given pointer; null when it does not parse.</param>
    public static void Validate(
        IReadOnlyList<string?> allowedUrls, AppendDefinition? append, List<ValidationProblem> problems, Func<string, string, Template?> checkTemplate)
    {
        if (allowedUrls.Count > DefinitionLimits.MaxAllowedUrls)
        {
            problems.Add(new("/allowedUrls", ValidationCodes.TooMany, $"At most {DefinitionLimits.MaxAllowedUrls} allowed URLs are allowed."));
        }

        var appendsSomething = append is not null
            && ((append.Headers?.Count ?? 0) + (append.Query?.Count ?? 0) + (append.Body?.Count ?? 0)) > 0;
        if (allowedUrls.Count == 0 && appendsSomething)
        {
            problems.Add(new("/allowedUrls", ValidationCodes.Required,
                "Credentials are appended, so the URLs they may be sent to must be listed."));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < allowedUrls.Count; i++)
        {
            var pointer = JsonPointer.Append("/allowedUrls", i);
            var text = AllowedUrlPolicy.Prefix(allowedUrls[i] ?? "");
            if (text.Contains('?', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal))
            {
                problems.Add(new(pointer, ValidationCodes.AllowedUrlHasQueryOrFragment, "An allowed URL cannot have a query or fragment."));
            }

            var shape = text;
            if (text.Contains("${", StringComparison.Ordinal))
            {
                // A template is checked by its static shape; one that starts with a value is checked once rendered.
                if (checkTemplate(text, pointer) is not { } template || !UrlTemplateRules.Check(template, pointer, valueMayStartUrl: true, problems))
                {
                    AddIfDuplicate(seen, text, pointer, problems);
                    continue;
                }

                shape = template.WithPlaceholders("x");
            }

            if (shape.Contains('*', StringComparison.Ordinal))
            {
                problems.Add(new(pointer, ValidationCodes.AllowedUrlWildcard,
                    "An allowed URL is a prefix; '*' may only appear as a trailing '/**', which means the same. For several hosts, list each or use a template."));
            }

            CheckShape(shape, pointer, problems);
            AddIfDuplicate(seen, Uri.TryCreate(shape, UriKind.Absolute, out var uri) && shape == text ? uri.GetLeftPart(UriPartial.Path) : text, pointer, problems);
        }
    }

    private static void CheckShape(string url, string pointer, List<ValidationProblem> problems)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            problems.Add(new(pointer, ValidationCodes.AllowedUrlNotAbsolute, "An allowed URL must be an absolute http(s) URL with a host."));
            return;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problems.Add(new(pointer, ValidationCodes.AllowedUrlHasCredentials, "An allowed URL cannot contain user info."));
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            problems.Add(new(pointer, ValidationCodes.InsecureUrl, "Credentials are only sent over https (http is allowed for loopback hosts)."));
        }
    }

    private static void AddIfDuplicate(HashSet<string> seen, string key, string pointer, List<ValidationProblem> problems)
    {
        if (!seen.Add(key))
        {
            problems.Add(new(pointer, ValidationCodes.DuplicateAllowedUrl, "This URL is listed twice."));
        }
    }
}
