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
        allowedUrlTemplates = [.. definition.AllowedUrls.Select(url => UrlTemplate.Create(Parse(url, cache), HostnameFields.Contains))];
        literalAllowedUrls = allowedUrlTemplates.All(url => url.Template.IsLiteral) ? definition.AllowedUrls : null;
        literalAllowedUrlPolicy = literalAllowedUrls is null ? null : new AllowedUrlPolicy(literalAllowedUrls);
        UrlFieldUses = [.. DeclarativeUrls(definition).Select(url => UrlTemplate.Create(Parse(url, cache), HostnameFields.Contains))
            .Append(AuthorizationUrl).Concat(allowedUrlTemplates).SelectMany(url => url.FieldUses).Distinct()];

        // Every connection's credentials carry this list: one instance per version, not one per connection.
        RefreshOnStatus = definition.RefreshOnStatus ?? [401];
    }

    public AuthVersionDefinition Definition { get; }

    /// <summary>Changes whenever the stored definition changes; names this compilation in caches.</summary>
    public string Revision { get; }

    private readonly UrlTemplate[] allowedUrlTemplates;
    private readonly IReadOnlyList<string>? literalAllowedUrls;
    private readonly AllowedUrlPolicy? literalAllowedUrlPolicy;

    public UrlTemplate AuthorizationUrl { get; }

    /// <summary>Fields whose values may put several DNS labels in a URL host (<c>format: hostname</c>).</summary>
    public IReadOnlySet<string> HostnameFields { get; }

    /// <summary>Every field the version's URL templates read straight into a URL, with where it lands: checked at connect time.</summary>
    public IReadOnlyList<UrlFieldUse> UrlFieldUses { get; }

    public TemplateMap ExtraParams { get; }

    public Template? ConnectionLabel { get; }

    public Template? UniqueIdentifier { get; }

    public CredentialBuilder Credentials { get; }

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
                rendered.Add(url.Render(context, evaluator).AbsoluteUri);
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
