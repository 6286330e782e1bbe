using System.Text;
using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// A template that renders a URL whose structure only the author decides: each <c>${...}</c> is checked and encoded
/// for the URL component it lands in, judged from the literal text before it, so no value can move the request to
/// another host, add a path segment, or start a query parameter.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>At the very start (<c>${context.authData.accesstokencode.instance_url}/services</c>) a value is a whole base
/// URL: absolute https (http only for loopback hosts), no user info, query or fragment (<see cref="UrlComponent.BaseUrl"/>).</item>
/// <item>In the host a value must be one DNS label (letters, digits, inner hyphens); several dot-separated labels only
/// when the field it reads declares <c>format: hostname</c>.</item>
/// <item>In the port, digits. In the path, query or fragment, the value is percent-encoded whole (only RFC 3986
/// unreserved characters stay), and a path value cannot be <c>.</c> or <c>..</c>.</item>
/// <item>Expressions in the scheme or in user info are refused when the template is created.</item>
/// </list>
/// After rendering, the URL's host is compared with the host the parts produced, so a parser disagreement cannot
/// slip a different host through either.
/// </remarks>
public sealed class UrlTemplate
{
    private readonly UrlComponent[] components;
    private readonly Func<string, bool> allowsDottedHost;

    private UrlTemplate(Template template, UrlComponent[] components, Func<string, bool> allowsDottedHost)
    {
        Template = template;
        this.components = components;
        this.allowsDottedHost = allowsDottedHost;
        FieldUses = [.. Enumerable.Range(0, template.PartCount)
            .Where(i => template.LiteralAt(i) is null && template.AuthDataMemberAt(i) is not null)
            .Select(i => new UrlFieldUse(template.AuthDataMemberAt(i)!, components[i]))
            .Distinct()];
    }

    public Template Template { get; }

    public string Source => Template.Source;

    /// <summary>The fields (<c>context.authData.&lt;key&gt;</c>) read straight into the URL, with the component each lands in.</summary>
    public IReadOnlyList<UrlFieldUse> FieldUses { get; }

    /// <summary>True when the URL starts with a value (a base URL that arrives with the connection).</summary>
    public bool StartsWithValue => components.Length > 0 && Template.LiteralAt(0) is null;

    /// <summary>
    /// Creates the URL template; returns null with <paramref name="error"/> when an expression sits where no value may
    /// go (the scheme, user info, right after a leading base URL, inside an IPv6 literal).
    /// </summary>
    /// <param name="allowsDottedHost">Whether a field key may put several DNS labels in the host (its <c>format</c> is <c>hostname</c>).</param>
    public static UrlTemplate? TryCreate(Template template, Func<string, bool>? allowsDottedHost, out string? error)
    {
        ArgumentNullException.ThrowIfNull(template);
        var components = new UrlComponent[template.PartCount];
        var scanner = new UrlStructureScanner();
        for (var i = 0; i < template.PartCount; i++)
        {
            error = template.LiteralAt(i) is { } literal ? scanner.Literal(literal) : scanner.Expression(out components[i]);
            if (error is not null)
            {
                return null;
            }
        }

        error = null;
        return new UrlTemplate(template, components, allowsDottedHost ?? (_ => false));
    }

    /// <summary>Creates the URL template or throws <see cref="TemplateSyntaxException"/> (for definitions that passed validation).</summary>
    public static UrlTemplate Create(Template template, Func<string, bool>? allowsDottedHost = null) =>
        TryCreate(template, allowsDottedHost, out var error) ?? throw new TemplateSyntaxException(new TemplateSyntaxError(0, error!));

    /// <summary>Renders the URL.</summary>
    /// <exception cref="TemplateRenderException">A value is missing, does not fit the component it lands in, or the result is not an absolute http(s) URL.</exception>
    public Uri Render(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = new StringBuilder(Template.Source.Length + 32);
        var host = new StringBuilder();
        var scanner = new UrlStructureScanner();
        for (var i = 0; i < Template.PartCount; i++)
        {
            if (Template.LiteralAt(i) is { } literal)
            {
                url.Append(literal);
                scanner.Literal(literal, host);
                continue;
            }

            var value = Template.RenderExpressionAt(i, context, evaluator);
            var member = Template.AuthDataMemberAt(i);
            var encoded = Encode(components[i], value, member is not null && allowsDottedHost(member), out var problem)
                ?? throw new TemplateRenderException($"The value of {Template.ExpressionSourceAt(i)} cannot be used in the URL: {problem}", Template.ExpressionSourceAt(i));
            url.Append(encoded);
            scanner.Expression(out _);
            if (components[i] == UrlComponent.Host)
            {
                host.Append(encoded);
            }
            else if (components[i] == UrlComponent.BaseUrl)
            {
                host.Append(new Uri(encoded).Host);
            }
        }

        if (!Uri.TryCreate(url.ToString(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new TemplateRenderException("The URL does not render to an absolute http(s) URL.");
        }

        if (!string.Equals(uri.Host.TrimEnd('.'), host.ToString().TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            throw new TemplateRenderException("The rendered URL's host is not the one its template describes.");
        }

        return uri;
    }

    /// <summary>Why <paramref name="value"/> cannot go into <paramref name="component"/>, or null when it can.</summary>
    public static string? Problem(UrlComponent component, string value, bool dottedHost)
    {
        Encode(component, value, dottedHost, out var problem);
        return problem;
    }

    private static string? Encode(UrlComponent component, string value, bool dottedHost, out string? problem)
    {
        problem = component switch
        {
            UrlComponent.BaseUrl => BaseUrlProblem(value),
            UrlComponent.Host => HostNames.Problem(value, dottedHost),
            UrlComponent.Port => value.Length is > 0 and <= 5 && value.All(char.IsAsciiDigit) && int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 65535
                ? null
                : "a port is a number from 1 to 65535.",
            UrlComponent.Path when value is "." or ".." => "a path value cannot be '.' or '..'.",
            _ => null,
        };
        return problem is not null ? null : component switch
        {
            UrlComponent.BaseUrl => new Uri(value).GetLeftPart(UriPartial.Path).TrimEnd('/'),
            UrlComponent.Host => value.ToLowerInvariant(),
            UrlComponent.Port => value,
            _ => Uri.EscapeDataString(value),
        };
    }

    private static string? BaseUrlProblem(string value) =>
        !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host) || value.AsSpan().IndexOfAny('\\', '\r', '\n') >= 0
            ? "a base URL must be an absolute http(s) URL."
            : uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
                ? "a base URL must use https (http only for loopback hosts)."
            : !string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Length > 0 || uri.Fragment.Length > 0 || value.Contains('@', StringComparison.Ordinal)
                ? "a base URL cannot carry user info, a query or a fragment."
                : null;
}

/// <summary>The part of a URL a template expression lands in.</summary>
public enum UrlComponent
{
    /// <summary>The expression starts the URL: its value is a whole base URL.</summary>
    BaseUrl,
    Host,
    Port,
    Path,
    Query,
    Fragment,
}

/// <summary>A field read straight into a URL template, and where it lands.</summary>
public sealed record UrlFieldUse(string FieldKey, UrlComponent Component);
