using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>The values one authorize redirect carries besides the version's own.</summary>
/// <param name="Context">The context the URL and extraParams templates render against (field values in authData).</param>
/// <param name="CodeChallenge">Null when the version uses no PKCE.</param>
/// <param name="Scopes">The scopes this connection asks for; null asks for the version's required scopes.</param>
/// <param name="Nonce">The OpenID Connect nonce; null when the attempt does not ask for <c>openid</c>.</param>
public sealed record AuthorizeRequest(JsonObject Context, string RedirectUri, string State, string? CodeChallenge, IReadOnlyList<string>? Scopes = null, string? Nonce = null);

/// <summary>
/// Builds the provider's authorize URL (RFC 6749 section 4.1.1, RFC 7636 section 4.3), with the parameter names, the
/// omissions and the scope separator the version declares.
/// </summary>
public static class AuthorizeUrlBuilder
{
    /// <exception cref="TemplateRenderException">A template needs a value the context lacks, a value does not fit where it lands, or the URL is not absolute http(s).</exception>
    public static Uri Build(CompiledAuthVersion version, AuthorizeRequest request, IScriptExpressionEvaluator? evaluator = null)
    {
        var authorization = version.Definition.Authorization!;
        // The authorize page's host is the author's: a value may fill in labels of it, never supply it whole.
        if (version.AuthorizationUrl.StartsWithValue)
        {
            throw new TemplateRenderException("The authorization URL must start with its scheme and host, not with a value.", member: "/authorization/url");
        }

        Uri baseUri;
        try
        {
            baseUri = version.AuthorizationUrl.Render(request.Context, evaluator);
        }
        catch (TemplateRenderException error)
        {
            throw error.WithMember("/authorization/url");
        }

        var owned = AuthorizeParameters.OwnedNames(authorization);
        var query = new StringBuilder();
        foreach (var (key, value) in ParseQuery(baseUri.Query).Where(p => !owned.Contains(p.Key)))
        {
            Append(query, key, Uri.EscapeDataString(value));
        }

        void Add(string standardName, string value, bool encoded = false)
        {
            if (AuthorizeParameters.NameFor(authorization, standardName) is { } name)
            {
                Append(query, name, encoded ? value : Uri.EscapeDataString(value));
            }
        }

        Add(AuthorizeParameters.ResponseType, "code");
        // From the context: the connection's OAuth client, which may be a workspace's own rather than the version's.
        Add(AuthorizeParameters.ClientId, request.Context[ContextKeys.ClientId]?.GetValue<string>() ?? "");
        Add(AuthorizeParameters.RedirectUri, request.RedirectUri);
        var scopes = request.Scopes ?? authorization.Scopes;
        if (scopes.Count > 0)
        {
            Add(AuthorizeParameters.Scope, ScopeFormatter.EncodeForQuery(scopes, authorization), encoded: true);
        }

        // state is never omittable: it is the CSRF defence (RFC 6749 section 10.12).
        Add(AuthorizeParameters.State, request.State);
        if (request.CodeChallenge is not null)
        {
            Add(AuthorizeParameters.CodeChallenge, request.CodeChallenge);
            Add(AuthorizeParameters.CodeChallengeMethod, authorization.Pkce);
        }

        if (request.Nonce is not null)
        {
            Add(AuthorizeParameters.Nonce, request.Nonce);
        }

        var extras = new Dictionary<string, string>(StringComparer.Ordinal);
        version.ExtraParams.RenderInto(extras, request.Context, evaluator);
        foreach (var (key, value) in extras.Where(p => !owned.Contains(p.Key)))
        {
            Append(query, key, Uri.EscapeDataString(value));
        }

        var builder = new UriBuilder(baseUri) { Query = query.ToString() };
        return builder.Uri;
    }

    private static void Append(StringBuilder query, string key, string encodedValue) =>
        query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(key)).Append('=').Append(encodedValue);

    private static List<KeyValuePair<string, string>> ParseQuery(string query) =>
        [.. query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : ""))];
}
