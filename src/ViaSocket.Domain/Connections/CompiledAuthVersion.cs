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
        AuthorizationUrl = Parse(authorization.Url ?? "", cache);
        ExtraParams = TemplateMap.Compile(authorization.ExtraParams, "/authorization/extraParams", cache);
        ConnectionLabel = definition.ConnectionLabel is { Length: > 0 } label ? Parse(label, cache) : null;
        UniqueIdentifier = definition.UniqueIdentifier is { Length: > 0 } identifier ? Parse(identifier, cache) : null;
        JoinedScopes = ScopeFormatter.Join(authorization.Scopes, authorization.ScopeSeparator);
        Credentials = CredentialBuilder.Compile(definition.Append, cache);
        AllowedUrls = new AllowedUrlPolicy(definition.AllowedUrls);

        // Every connection's credentials carry this list: one instance per version, not one per connection.
        RefreshOnStatus = definition.RefreshOnStatus ?? [401];
    }

    public AuthVersionDefinition Definition { get; }

    /// <summary>Changes whenever the stored definition changes; names this compilation in caches.</summary>
    public string Revision { get; }

    public Template AuthorizationUrl { get; }

    public TemplateMap ExtraParams { get; }

    public Template? ConnectionLabel { get; }

    public Template? UniqueIdentifier { get; }

    public CredentialBuilder Credentials { get; }

    public AllowedUrlPolicy AllowedUrls { get; }

    /// <summary>The statuses of proxied responses that mean "token expired".</summary>
    public IReadOnlyList<int> RefreshOnStatus { get; }

    /// <summary>The scopes joined by the version's separator, as sent in <c>scope</c> and seen as <c>context.scopes</c>.</summary>
    public string JoinedScopes { get; }

    /// <summary>Compiles a definition that passed validation (its templates parse).</summary>
    public static CompiledAuthVersion Compile(AuthVersionDefinition definition, string revision, TemplateCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new CompiledAuthVersion(definition, revision, cache);
    }

    private static Template Parse(string source, TemplateCache? cache) => cache?.GetOrParse(source) ?? Template.Parse(source);
}
