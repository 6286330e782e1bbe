using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Http;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Blocks.Declarative;

/// <summary>
/// Runs <see cref="ApiBlock.Request"/>: renders the url, headers, query and body templates over the context,
/// sends the request through the guarded client and returns the parsed JSON body.
/// </summary>
internal sealed class DeclarativeRequestRunner(
    OutboundHttpClient httpClient,
    TemplateCache templates,
    IScriptExpressionEvaluator expressionEvaluator,
    IOptions<SandboxOptions> options,
    TimeProvider timeProvider)
{
    private const string Pointer = "/request";

    /// <summary>Runs the request block; see <see cref="IBlockRunner.RunAsync"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = request.Block.Request ?? throw new ArgumentException("The block has no request.", nameof(request));
        var started = timeProvider.GetTimestamp();
        var diagnostics = new RunDiagnostics(request.Options?.CaptureDiagnostics == true, 0, 0);

        BlockRunResult Finish(JsonNode? result, BlockFailure? failure)
            => new(result, failure, [], diagnostics.HttpTrace, timeProvider.GetElapsedTime(started));

        HttpRequestMessage message;
        try
        {
            message = Render(definition, request.Context, request.Urls.HostnameFields, ClientCredentials.For(request));
        }
        catch (Exception error) when (error is TemplateRenderException or TemplateSyntaxException or RequestDefinitionException)
        {
            return Finish(null, new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.TemplateError, error.Message));
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or ArgumentException)
        {
            // A malformed method or header name; the exception text may quote the rendered value, so it is not used.
            return Finish(null, new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.TemplateError,
                "The rendered request is not valid: a method or header name is malformed."));
        }

        using (message)
        {
            if (!request.Urls.Allows(message.RequestUri!))
            {
                return Finish(null, UrlPolicy.NotAllowed(message.RequestUri!));
            }

            var method = message.Method.Method;
            var url = UrlRedaction.Redact(message.RequestUri!);
            using var timeout = new CancellationTokenSource(options.Value.Timeout, timeProvider);
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                var response = await httpClient.SendAsync(message, run.Token).ConfigureAwait(false);
                diagnostics.Trace(new HttpTraceEntry(method, url, response.StatusCode, timeProvider.GetElapsedTime(started), null));
                var body = Encoding.UTF8.GetString(response.Body);
                var maxDepth = options.Value.MaxResultDepth;
                if (!response.IsSuccessStatusCode)
                {
                    var data = string.IsNullOrWhiteSpace(body) ? null : SandboxOutcome.ParseData(body, maxDepth);
                    return Finish(null, SandboxOutcome.HttpFailure(response.StatusCode, data, response.GetHeaderValues("Retry-After").FirstOrDefault(), timeProvider));
                }

                var (result, failure) = string.IsNullOrWhiteSpace(body) ? (null, null) : SandboxOutcome.FromResponseBody(body, maxDepth);
                return Finish(result, failure);
            }
            catch (OutboundRequestException error)
            {
                diagnostics.Trace(new HttpTraceEntry(method, url, null, timeProvider.GetElapsedTime(started), error.Message));
                return Finish(null, error.ToBlockFailure());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Finish(null, SandboxOutcome.FromException(new TimeoutException(), options.Value.Timeout));
            }
        }
    }

    private HttpRequestMessage Render(RequestDefinition definition, JsonObject context, IReadOnlySet<string> hostnameFields, ClientCredentials? client)
    {
        var template = templates.GetOrParse(definition.Url ?? throw new RequestDefinitionException("The request has no url."));
        var url = UrlTemplate.Create(template, hostnameFields.Contains).Render(context, expressionEvaluator).AbsoluteUri;
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        TemplateMap.Compile(definition.Query, Pointer + "/query", templates).RenderInto(query, context, expressionEvaluator);
        if (!Uri.TryCreate(AppendQuery(url, query), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new RequestDefinitionException("The rendered request url is not an absolute http or https URL.");
        }

        var message = new HttpRequestMessage(new HttpMethod(definition.Method.ToUpperInvariant()), uri)
        {
            Content = RenderBody(definition, context, client?.InBody == true ? client : null),
        };
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        TemplateMap.Compile(definition.Headers, Pointer + "/headers", templates).RenderInto(headers, context, expressionEvaluator);
        foreach (var (name, value) in headers)
        {
            // Names are unique here; a content header (Content-Type) replaces the one the body set.
            if (!message.Headers.TryAddWithoutValidation(name, value) && message.Content is not null)
            {
                message.Content.Headers.Remove(name);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (client?.InHeader == true)
        {
            // Validation keeps an Authorization header out of such blocks; this one is the only one sent.
            message.Headers.Remove("Authorization");
            message.Headers.TryAddWithoutValidation("Authorization", ClientBasicAuth.HeaderValue(client.Id, client.Secret));
        }

        if (!message.Headers.Contains("Accept"))
        {
            message.Headers.Accept.ParseAdd("application/json");
        }

        return message;
    }

    private HttpContent? RenderBody(RequestDefinition definition, JsonObject context, ClientCredentials? client)
    {
        switch (definition.BodyType)
        {
            case BodyTypes.Raw:
                return definition.RawBody is null
                    ? null
                    : new StringContent(templates.GetOrParse(definition.RawBody).Render(context, expressionEvaluator), Encoding.UTF8, "text/plain");
            case BodyTypes.Form:
                if (definition.Body.Count == 0 && client is null)
                {
                    return null;
                }

                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                TemplateMap.Compile(definition.Body, Pointer + "/body", templates).RenderInto(fields, context, expressionEvaluator);
                foreach (var (name, value) in client?.BodyFields() ?? [])
                {
                    fields[name] = value;
                }

                return new FormUrlEncodedContent(fields);
            case BodyTypes.Json:
                if (definition.Body.Count == 0 && client is null)
                {
                    return null;
                }

                var json = new JsonObject();
                TemplateMap.Compile(definition.Body, Pointer + "/body", templates).RenderValuesInto(json, context, expressionEvaluator);
                foreach (var (name, value) in client?.BodyFields() ?? [])
                {
                    json[name] = value;
                }

                return new StringContent(json.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            default:
                throw new RequestDefinitionException($"Unknown bodyType '{definition.BodyType}'.");
        }
    }

    private static string AppendQuery(string url, Dictionary<string, string> query)
    {
        if (query.Count == 0)
        {
            return url;
        }

        var encoded = string.Join('&', query.Select(pair => Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(pair.Value)));
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + encoded;
    }

    private sealed class RequestDefinitionException(string message) : Exception(message);

    /// <summary>The client's id and secret from the context, and where the block's client authentication mode puts them.</summary>
    private sealed record ClientCredentials(string Id, string Secret, bool InHeader, bool InBody)
    {
        /// <summary>
        /// <c>client_id</c>, and <c>client_secret</c> unless the Basic header carries it: RFC 6749 section 2.3 allows one
        /// authentication method per request, so <c>both</c> means Basic plus the id in the body.
        /// </summary>
        public IEnumerable<KeyValuePair<string, string>> BodyFields()
        {
            yield return new("client_id", Id);
            if (!InHeader)
            {
                yield return new("client_secret", Secret);
            }
        }

        public static ClientCredentials? For(BlockRunRequest request)
        {
            var (header, body) = request.ClientAuthentication switch
            {
                ClientAuthModes.Basic => (true, false),
                ClientAuthModes.Body => (false, true),
                ClientAuthModes.Both => (true, true),
                _ => (false, false),
            };
            if (!header && !body)
            {
                return null;
            }

            return new ClientCredentials(Text(request.Context, ContextKeys.ClientId), Text(request.Context, ContextKeys.ClientSecret), header, body);
        }

        private static string Text(JsonObject context, string key) =>
            context[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text
                : throw new RequestDefinitionException($"Client authentication needs context.{key}, and the version has none.");
    }
}
