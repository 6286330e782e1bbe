using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Connections;
using ViaSocket.Domain.Credentials;

namespace ViaSocket.Server.Proxy;

/// <summary>A request with a connection's credentials merged in: what the proxy sends, and what apply returns.</summary>
/// <param name="Method">Upper case.</param>
/// <param name="Url">The caller's URL with the caller's and the credential query parameters added.</param>
/// <param name="Headers">The caller's headers without hop-by-hop ones; credential headers win.</param>
/// <param name="Body">JSON for <c>json</c>, an object of strings for <c>form</c>, a string for <c>raw</c>; null when there is none.</param>
/// <param name="BodyType"><c>json</c>, <c>form</c> or <c>raw</c>.</param>
public sealed record AppliedRequest(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    JsonNode? Body,
    string BodyType)
{
    /// <summary>The URL, headers and body carry credentials: only the method and header names are printed.</summary>
    public override string ToString() => $"AppliedRequest {{ Method = {Method}, Headers = [{string.Join(", ", Headers.Keys)}], BodyType = {BodyType} }}";
}

public sealed record CredentialMergeResult(AppliedRequest? Request, ConnectionError? Error);

/// <summary>
/// The one place that decides how a caller's request and a connection's credentials combine: the request is
/// validated, a relative URL resolved against the connection's base URL, refused when its URL is outside the version's
/// <c>allowedUrls</c>, and otherwise merged with credential
/// headers, query parameters and body members winning over the caller's.
/// </summary>
public static class CredentialRequestMerger
{
    public const string UrlNotAllowed = "proxy.url_not_allowed";
    public const string InvalidRequest = "proxy.invalid_request";

    public const string JsonBody = "json";
    public const string FormBody = "form";
    public const string RawBody = "raw";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    /// <summary>Hop-by-hop and framing headers belong to the connection that carries the request, not to the caller.</summary>
    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Proxy-Authorization", "TE", "Trailer",
    };

    /// <summary>Checks the request on its own (before any credentials are fetched); null when it is well formed.</summary>
    public static ConnectionError? Validate(ProxyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problem = Problem(request);
        return problem is null ? null : new ConnectionError(InvalidRequest, problem);
    }

    public static CredentialMergeResult Merge(ProxyRequest request, ConnectionCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (Validate(request) is { } invalid)
        {
            return new CredentialMergeResult(null, invalid);
        }

        if (BaseUrlResolver.IsRelative(request.Url))
        {
            var (resolved, problem) = BaseUrlResolver.Resolve(credentials.BaseUrl, request.Url);
            if (resolved is null)
            {
                return new CredentialMergeResult(null, new ConnectionError(InvalidRequest, problem!));
            }

            request = request with { Url = resolved.AbsoluteUri };
        }

        if (!new AllowedUrlPolicy(credentials.AllowedUrls).IsAllowed(request.Url))
        {
            return new CredentialMergeResult(null, new ConnectionError(UrlNotAllowed, "The URL is outside the auth version's allowed URLs; credentials are never sent there."));
        }

        var bodyType = request.BodyType ?? JsonBody;
        var applied = new AppliedRequest(
            request.Method.ToUpperInvariant(),
            MergeUrl(request, credentials.Query),
            MergeHeaders(request.Headers, credentials.Headers),
            MergeBody(request.Body, bodyType, credentials.BodyJson),
            bodyType);
        return new CredentialMergeResult(applied, null);
    }

    private static string MergeUrl(ProxyRequest request, IReadOnlyDictionary<string, string> credentialQuery)
    {
        // A parameter already in the caller's URL under a credential's name would reach the provider first: drop it.
        var url = credentialQuery.Count == 0 ? request.Url : WithoutQueryNames(request.Url, credentialQuery);
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query ?? new Dictionary<string, string>())
        {
            query[key] = value;
        }

        foreach (var (key, value) in credentialQuery)
        {
            query[key] = value;
        }

        return QueryHelpers.AddQueryString(url, query);
    }

    private static string WithoutQueryNames(string url, IReadOnlyDictionary<string, string> credentialQuery)
    {
        // Query names are case-sensitive whatever comparer the credentials' dictionary came with.
        var names = credentialQuery.Keys.ToHashSet(StringComparer.Ordinal);
        var queryStart = url.IndexOf('?', StringComparison.Ordinal);
        if (queryStart < 0)
        {
            return url;
        }

        var fragmentStart = url.IndexOf('#', queryStart);
        var queryEnd = fragmentStart < 0 ? url.Length : fragmentStart;
        var kept = url[(queryStart + 1)..queryEnd]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !names.Contains(Uri.UnescapeDataString(pair.Split('=', 2)[0].Replace('+', ' '))))
            .ToList();
        var rest = url[queryEnd..];
        return kept.Count == 0 ? url[..queryStart] + rest : url[..(queryStart + 1)] + string.Join('&', kept) + rest;
    }

    private static Dictionary<string, string> MergeHeaders(IReadOnlyDictionary<string, string>? requested, IReadOnlyDictionary<string, string> credentials)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in requested ?? new Dictionary<string, string>())
        {
            if (!ForbiddenHeaders.Contains(name))
            {
                // Removed first so a later spelling of the same header keeps its own case.
                headers.Remove(name);
                headers[name] = value;
            }
        }

        foreach (var (name, value) in credentials)
        {
            headers.Remove(name);
            headers[name] = value;
        }

        return headers;
    }

    private static JsonNode? MergeBody(JsonNode? body, string bodyType, string credentialBodyJson)
    {
        var credentialBody = JsonNode.Parse(credentialBodyJson) as JsonObject ?? [];
        switch (bodyType)
        {
            case FormBody:
                var form = new JsonObject();
                foreach (var (key, value) in (body as JsonObject ?? []).Concat(credentialBody))
                {
                    form[key] = value?.ToString() ?? "";
                }

                return form.Count == 0 ? null : form;
            case RawBody:
                return body?.DeepClone();
            default:
                var merged = body?.DeepClone();
                if (credentialBody.Count > 0)
                {
                    merged ??= new JsonObject();
                    if (merged is JsonObject target)
                    {
                        foreach (var (key, value) in credentialBody)
                        {
                            target[key] = value?.DeepClone();
                        }
                    }
                }

                return merged;
        }
    }

    private static string? Problem(ProxyRequest request)
    {
        if (!Methods.Contains(request.Method?.ToUpperInvariant()))
        {
            return $"method must be one of {string.Join(", ", Methods)}.";
        }

        // A path starting with one '/' resolves against the connection's base URL once its credentials are known.
        if (request.Url is null || (!BaseUrlResolver.IsRelative(request.Url)
            && (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))))
        {
            return "url must be an absolute http(s) URL, or a path starting with '/' below the connection's base URL.";
        }

        return request.BodyType switch
        {
            null or JsonBody => null,
            FormBody when request.Body is null or JsonObject => null,
            RawBody when request.Body is null || request.Body.GetValueKind() == JsonValueKind.String => null,
            FormBody => "A form body must be an object.",
            RawBody => "A raw body must be a string.",
            _ => "bodyType must be json, form or raw.",
        };
    }
}
