using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Diagnostics;
using Scalar.AspNetCore;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Server.Observability;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Extensions;

internal static class ObservabilityExtensions
{
    public const string ServiceName = "viasocket-orleans";
    public const string OpenApiPath = "/openapi/{documentName}.json";
    public const string DocsPath = "/docs";
    public const string MetricsPath = "/metrics";

    // The standard OpenTelemetry variable: OTLP export (metrics, traces, logs) is on only when an endpoint is given.
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly string[] DroppedAspNetCoreInstruments = ["aspnetcore.authentication.authenticate.duration", "aspnetcore.authorization.attempts"];

    /// <summary>
    /// OpenAPI with the API-key scheme; metrics (meter <c>ViaSocket</c>, ASP.NET Core, HttpClient, runtime, Orleans) and
    /// traces (source <c>ViaSocket</c>, incoming and outgoing HTTP, grain calls) exported to Prometheus and, when
    /// configured, OTLP; the connections-by-status gauge; the Orleans Dashboard when enabled.
    /// </summary>
    public static void AddObservability(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ServerOptions.SectionName);
        var observability = section.GetSection(ObservabilityOptions.SectionName).Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        var dashboard = section.GetSection(DashboardSettings.SectionName).Get<DashboardSettings>() ?? new DashboardSettings();
        builder.Services.AddOptions<ObservabilityOptions>().Bind(section.GetSection(ObservabilityOptions.SectionName));
        builder.Services.AddOptions<DashboardSettings>().Bind(section.GetSection(DashboardSettings.SectionName));

        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ApiKeySecurityTransformer>();
            o.AddOperationTransformer<ApiKeySecurityTransformer>();
        });

        builder.Services.AddViaSocketMetrics();
        builder.Services.AddSingleton<ConnectionStatusGauge>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ViaSocketMetrics.MeterName, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();

                // Recorded for every authenticated request, they cost the hot credentials path CPU (a few percent in a
                // profile) and say nothing the request duration's status codes (401, 403) do not; challenges and forbids
                // stay.
                foreach (var perRequest in DroppedAspNetCoreInstruments)
                {
                    metrics.AddView(perRequest, MetricStreamConfiguration.Drop);
                }
                if (observability.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        // Spans are recorded only when they have somewhere to go: an always-on tracer with no exporter would build an
        // activity for every request and grain call (a large share of the hot credentials path) and throw it away.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            telemetry.WithTracing(tracing => tracing
                    .AddSource(ViaSocketActivities.SourceName, ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.RuntimeActivitySourceName)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        // Probes and scrapes would drown the traces that matter.
                        o.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments(MetricsPath);
                        o.EnrichWithHttpRequest = (activity, _) => WithoutQuery(activity);
                    })
                    .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, _) => WithoutQuery(activity)))
                .WithLogging()
                .UseOtlpExporter();
        }

        // Grain calls carry the caller's trace context, so a callback's span and the block runs it causes share a trace.
        var frontEndOnly = section["Role"] == ServerRoles.FrontEnd;
        if (frontEndOnly)
        {
            builder.UseOrleansClient(client =>
            {
                client.AddActivityPropagation();
                if (dashboard.Enabled)
                {
                    client.AddDashboard();
                }
            });
        }
        else
        {
            builder.UseOrleans(silo =>
            {
                silo.AddActivityPropagation();
                if (dashboard.Enabled)
                {
                    silo.AddDashboard();
                }
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyScopes.Operator, policy => policy.RequireClaim(ApiKeyClaims.Scope, ApiKeyScopes.Operator));
    }

    /// <summary>
    /// Logging scopes per request; the OpenAPI document (<c>/openapi/v1.json</c>) and its Scalar reference page
    /// (<c>/docs</c>); <c>/metrics</c> for Prometheus (on its own port, or for operator keys); the Orleans Dashboard under <c>/dashboard</c> for operator keys
    /// when enabled.
    /// </summary>
    public static void UseObservability(this WebApplication app)
    {
        app.UseRequestLogScopes();
        app.MapOpenApi(OpenApiPath).AllowAnonymous();
        app.MapScalarApiReference(DocsPath, o => o.WithTitle("ViaSocket Orleans API").WithOpenApiRoutePattern(OpenApiPath)).AllowAnonymous();

        // Created here so the gauge exists before the first collection.
        app.Services.GetRequiredService<ConnectionStatusGauge>();

        var observability = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (observability.PrometheusEnabled && observability.PrometheusPort is { } port)
        {
            // Only connections to the management listener's own port (the socket's, which no header can change).
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == MetricsPath && http.Connection.LocalPort == port);
        }
        else if (observability.PrometheusEnabled)
        {
            // On the API listener the metrics (workspaces' traffic, plugin ids, error rates) are for operators only.
            app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiKeyScopes.Operator);
        }

        if (app.Services.GetRequiredService<IOptions<DashboardSettings>>().Value.Enabled)
        {
            app.MapOrleansDashboard(DashboardSettings.Path).RequireAuthorization(ApiKeyScopes.Operator);
        }
    }

    /// <summary>Drops the query from a span's URL attributes: OAuth callbacks carry codes there, providers sometimes keys.</summary>
    private static void WithoutQuery(Activity activity)
    {
        activity.SetTag("url.query", null);
        if (activity.GetTagItem("url.full") is string full && full.IndexOf('?', StringComparison.Ordinal) is var at and >= 0)
        {
            activity.SetTag("url.full", full[..at]);
        }
    }
}
