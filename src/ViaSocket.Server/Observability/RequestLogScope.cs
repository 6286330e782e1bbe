using System.Collections;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Observability;

/// <summary>
/// The logging scope of one API request: the caller's workspace and the connection or plugin the route names, as
/// structured values (JSON and OTLP loggers keep them as fields) that also read well in a console line.
/// </summary>
internal sealed class RequestLogScope(IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string WorkspaceId = "WorkspaceId";
    public const string ConnectionId = "ConnectionId";
    public const string PluginId = "PluginId";

    private static readonly (string Name, string RouteValue)[] RouteValues = [(ConnectionId, "connectionId"), (PluginId, "pluginId")];

    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index] => values[index];

    /// <summary>The scope of a request, or null when it names nothing. Identifiers only; never a query string.</summary>
    public static RequestLogScope? Of(HttpContext http)
    {
        var values = new List<KeyValuePair<string, object?>>();
        if (http.User.FindFirst(ApiKeyClaims.WorkspaceId)?.Value is { } workspaceId)
        {
            values.Add(new(WorkspaceId, workspaceId));
        }

        // Route values are not validated yet at this point; a malformed one stays out of the logs.
        foreach (var (name, routeValue) in RouteValues)
        {
            if (http.GetRouteValue(routeValue) is string value && Identifiers.IsValid(value))
            {
                values.Add(new(name, value));
            }
        }

        return values.Count == 0 ? null : new RequestLogScope(values);
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(' ', values.Select(v => $"{v.Key}={v.Value}"));
}

internal static class RequestLogScopeExtensions
{
    /// <summary>Runs the rest of the pipeline inside the request's <see cref="RequestLogScope"/>.</summary>
    public static IApplicationBuilder UseRequestLogScopes(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ViaSocket.Requests");
        return app.Use(async (http, next) =>
        {
            using (RequestLogScope.Of(http) is { } scope ? logger.BeginScope(scope) : null)
            {
                await next(http);
            }
        });
    }
}
