using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>The values one authorize redirect carries besides the version's own.</summary>
/// <param name="Context">The context the URL and extraParams templates render against (field values in authData).</param>
/// <param name="CodeChallenge">Null when the version uses no PKCE.</param>
public sealed record AuthorizeRequest(JsonObject Context, string RedirectUri, string State, string? CodeChallenge);

/// <summary>Builds the provider's authorize URL (RFC 6749 section 4.1.1, RFC 7636 section 4.3).</summary>
public static class AuthorizeUrlBuilder
{
    /// <summary>Parameters the service owns; a template URL or extraParams cannot set them.</summary>
    private static readonly HashSet<string> ProtocolParameters = new(StringComparer.Ordinal)
    {
        "response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope",
    };

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

        var parameters = ParseQuery(baseUri.Query).Where(p => !ProtocolParameters.Contains(p.Key)).ToList();
        parameters.Add(new("response_type", "code"));
        // From the context: the connection's OAuth client, which may be a workspace's own rather than the version's.
        parameters.Add(new("client_id", request.Context[ContextKeys.ClientId]?.GetValue<string>() ?? ""));
        parameters.Add(new("redirect_uri", request.RedirectUri));
        if (authorization.Scopes.Count > 0)
        {
            parameters.Add(new("scope", version.JoinedScopes));
        }

        parameters.Add(new("state", request.State));
        if (request.CodeChallenge is not null)
        {
            parameters.Add(new("code_challenge", request.CodeChallenge));
            parameters.Add(new("code_challenge_method", authorization.Pkce));
        }

        var extras = new Dictionary<string, string>(StringComparer.Ordinal);
        version.ExtraParams.RenderInto(extras, request.Context, evaluator);
        parameters.AddRange(extras.Where(p => !ProtocolParameters.Contains(p.Key)));

        var builder = new UriBuilder(baseUri) { Query = FormatQuery(parameters) };
        return builder.Uri;
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query) =>
        [.. query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : ""))];

    private static string FormatQuery(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var query = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }
}
