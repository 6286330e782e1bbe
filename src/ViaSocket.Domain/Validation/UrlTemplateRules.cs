using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Validation;

/// <summary>Where a URL template may take values from the context (see <see cref="UrlTemplate"/>).</summary>
internal static class UrlTemplateRules
{
    /// <summary>
    /// Adds a problem when an expression sits where no value may go; true when the template's static shape (with
    /// placeholders) can be checked as an absolute URL, false when it cannot (an error, or a value starts it).
    /// </summary>
    /// <param name="valueMayStartUrl">A value may be the whole base URL (block and allowed URLs; never the authorize page, whose host is the author's).</param>
    public static bool Check(Template template, string pointer, bool valueMayStartUrl, List<ValidationProblem> problems)
    {
        var url = UrlTemplate.TryCreate(template, allowsDottedHost: null, out var error);
        if (url is null)
        {
            // A literal that is not a URL at all is reported by the shape check; this is about where values go.
            if (template.IsLiteral)
            {
                return true;
            }

            problems.Add(new(pointer, ValidationCodes.UrlValueMisplaced, error!));
            return false;
        }

        if (url.StartsWithValue && !valueMayStartUrl)
        {
            problems.Add(new(pointer, ValidationCodes.UrlValueMisplaced,
                "The authorize URL must begin with its scheme and host; a value can fill in a host label (https://${context.authData.subdomain}.example.com), not start the URL."));
        }

        return !url.StartsWithValue;
    }
}
