using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// A published definition with every template parsed once. Connection grains of the same version share one
/// instance per revision, so the hot paths (credentials, authorize URLs) never parse.
/// </summary>
public sealed class CompiledAuthVersion
{
    private CompiledAuthVersion(AuthVersionDefinition definition, string revision, TemplateCache? cache)
    {
        var authorization = definition.Authorization ?? new AuthorizationDefinition();
        Definition = definition;
        Revision = revision;
        HostnameFields = definition.Fields.Where(field => field.Format == FieldFormats.Hostname).Select(field => field.Key).ToHashSet(StringComparer.Ordinal);
        AuthorizationUrl = UrlTemplate.Create(Parse(authorization.Url ?? "", cache), HostnameFields.Contains);
        ExtraParams = TemplateMap.Compile(authorization.ExtraParams, "/authorization/extraParams", cache);
        ConnectionLabel = definition.ConnectionLabel is { Length: > 0 } label ? Parse(label, cache) : null;
        UniqueIdentifier = definition.UniqueIdentifier is { Length: > 0 } identifier ? Parse(identifier, cache) : null;
        ScopeSeparator = ScopeFormatter.Separator(authorization);
        JoinedScopes = ScopeFormatter.Join(authorization.Scopes, ScopeSeparator);
        Credentials = CredentialBuilder.Compile(definition.Append, cache);
        allowedUrlTemplates = [.. definition.AllowedUrls.Select(url => UrlTemplate.Create(Parse(AllowedUrlPolicy.Prefix(url), cache), HostnameFields.Contains))];
        literalAllowedUrls = allowedUrlTemplates.All(url => url.Template.IsLiteral) ? [.. allowedUrlTemplates.Select(url => url.Source)] : null;
        literalAllowedUrlPolicy = literalAllowedUrls is null ? null : new AllowedUrlPolicy(literalAllowedUrls);
        originHosts = new OriginHostPolicy(definition.OriginHosts ?? []);
        baseUrl = definition.BaseUrl is { Length: > 0 } baseUrlSource ? UrlTemplate.Create(Parse(baseUrlSource, cache), HostnameFields.Contains) : null;
        PublicExtras = PublicExtras.Compile(definition.PublicExtras ?? new Dictionary<string, string>(), cache);
        UrlFieldUses = [.. DeclarativeUrls(definition).Select(url => UrlTemplate.Create(Parse(url, cache), HostnameFields.Contains))
            .Append(AuthorizationUrl).Concat(allowedUrlTemplates).Concat(baseUrl is null ? [] : [baseUrl]).SelectMany(url => url.FieldUses).Distinct()];

        // Every connection's credentials carry this list: one instance per version, not one per connection.
        RefreshOnStatus = definition.RefreshOnStatus ?? [401];
    }

    public AuthVersionDefinition Definition { get; }

    /// <summary>Changes whenever the stored definition changes; names this compilation in caches.</summary>
    public string Revision { get; }

    private readonly UrlTemplate[] allowedUrlTemplates;
    private readonly IReadOnlyList<string>? literalAllowedUrls;
    private readonly AllowedUrlPolicy? literalAllowedUrlPolicy;
    private readonly OriginHostPolicy originHosts;
    private readonly UrlTemplate? baseUrl;

    public UrlTemplate AuthorizationUrl { get; }

    /// <summary>Fields whose values may put several DNS labels in a URL host (<c>format: hostname</c>).</summary>
    public IReadOnlySet<string> HostnameFields { get; }

    /// <summary>Every field the version's URL templates read straight into a URL, with where it lands: checked at connect time.</summary>
    public IReadOnlyList<UrlFieldUse> UrlFieldUses { get; }

    public TemplateMap ExtraParams { get; }

    public Template? ConnectionLabel { get; }

    public Template? UniqueIdentifier { get; }

    public CredentialBuilder Credentials { get; }

    /// <summary>The non-secret values engines read in a connection's metadata.</summary>
    public PublicExtras PublicExtras { get; }

    /// <summary>
    /// The allowed URLs for one connection: templates rendered over its context (per-account hosts), each value encoded
    /// for where it lands. An entry that cannot render yet (its value arrives later, or does not fit) allows nothing.
    /// </summary>
    public IReadOnlyList<string> RenderAllowedUrls(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        if (literalAllowedUrls is not null)
        {
            return literalAllowedUrls;
        }

        var rendered = new List<string>(allowedUrlTemplates.Length);
        foreach (var url in allowedUrlTemplates)
        {
            try
            {
                rendered.Add(RenderWithOrigin(url, context, evaluator).AbsoluteUri);
            }
            catch (TemplateRenderException)
            {
                // Not renderable for this connection (yet): it allows nothing.
            }
        }

        return rendered;
    }

    /// <summary>Where this connection's block requests and credentials may go.</summary>
    public AllowedUrlPolicy AllowedUrlPolicyFor(JsonObject context, IScriptExpressionEvaluator? evaluator = null) =>
        literalAllowedUrlPolicy ?? new AllowedUrlPolicy(RenderAllowedUrls(context, evaluator));

    /// <summary>
    /// The connection's base URL without a trailing <c>/</c>, or null when the version declares none. Rendered like an
    /// allowed URL, and it must fall under the connection's allowed URLs.
    /// </summary>
    /// <exception cref="TemplateRenderException">The base URL cannot be rendered for this connection, or is not allowed.</exception>
    public string? RenderBaseUrl(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        if (baseUrl is null)
        {
            return null;
        }

        var rendered = RenderWithOrigin(baseUrl, context, evaluator);
        if (!AllowedUrlPolicyFor(context, evaluator).IsAllowed(rendered))
        {
            throw new TemplateRenderException("The base URL is not under the auth version's allowed URLs.", member: "/baseUrl");
        }

        return rendered.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>
    /// Renders a URL template; when a value supplies its whole origin, that origin must be one of the version's
    /// <c>originHosts</c> (the https and no-user-info rules hold for such a value already, see <see cref="UrlTemplate"/>).
    /// </summary>
    private Uri RenderWithOrigin(UrlTemplate url, JsonObject context, IScriptExpressionEvaluator? evaluator)
    {
        var rendered = url.Render(context, evaluator);
        return !url.StartsWithValue || originHosts.Allows(rendered)
            ? rendered
            : throw new TemplateRenderException("The URL's origin comes from a value and is not one of the auth version's originHosts.", url.Template.ExpressionSourceAt(0));
    }

    /// <summary>The statuses of proxied responses that mean "token expired".</summary>
    public IReadOnlyList<int> RefreshOnStatus { get; }

    /// <summary>The required scopes joined by <see cref="ScopeSeparator"/>: <c>context.scopes</c> of a connection that chose no optional scope.</summary>
    public string JoinedScopes { get; }

    /// <summary>What joins scopes as the provider reads them (a space for <c>plus</c>: the provider form-decodes the <c>+</c>).</summary>
    public string ScopeSeparator { get; }

    /// <summary>Compiles a definition that passed validation (its templates parse).</summary>
    public static CompiledAuthVersion Compile(AuthVersionDefinition definition, string revision, TemplateCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new CompiledAuthVersion(definition, revision, cache);
    }

    private static IEnumerable<string> DeclarativeUrls(AuthVersionDefinition definition) =>
        new[] { definition.AccessToken, definition.RefreshToken, definition.RevokeToken, definition.TestMe }
            .Select(block => block?.Request?.Url).OfType<string>();

    private static Template Parse(string source, TemplateCache? cache) => cache?.GetOrParse(source) ?? Template.Parse(source);
}
