using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using ViaSocket.Connections;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Server.Tests.Infrastructure;
using Names = ViaSocket.Grains.Diagnostics.ViaSocketMetrics.Names;
using Tags = ViaSocket.Grains.Diagnostics.ViaSocketMetrics.Tags;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>Metrics, traces and logs of real flows against the loopback provider.</summary>
public sealed class TelemetryTests(TelemetryTests.Fixture fixture) : IClassFixture<TelemetryTests.Fixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_connect_credentials_refresh_and_refused_refresh_are_counted_by_the_instruments()
    {
        await Flow.PublishAsync("metrics-crm", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        using var recorded = new RecordedMeasurements(fixture.Host);

        var connectionId = (await Flow.ConnectAsync("metrics-crm", "v1", ownerId: "metrics-owner"))["connectionId"];
        var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        Assert.True(fixture.Provider.RevokeGrant(((string)credentials["headers"]!["Authorization"]!)["Bearer ".Length..]));
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // past the window in which an on-demand refresh is answered with the fresh token
        using (var refused = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        var blockRuns = recorded.Of(Names.BlockRuns);
        Assert.Contains(blockRuns, m => m.Has(Tags.BlockKind, "accessToken") && m.Has(Tags.Outcome, "ok"));
        Assert.Contains(blockRuns, m => m.Has(Tags.BlockKind, "testMe") && m.Has(Tags.Outcome, "ok"));
        Assert.Contains(blockRuns, m => m.Has(Tags.BlockKind, "refreshToken") && m.Has(Tags.Outcome, "block.http_error"));
        Assert.Contains(recorded.Of(Names.BlockDuration), m => m.Has(Tags.BlockKind, "accessToken") && m.Value > 0);

        var refreshes = recorded.Of(Names.Refreshes);
        Assert.Single(refreshes, m => m.Has(Tags.Outcome, "ok") && m.Has(Tags.Trigger, "on_demand"));
        Assert.Single(refreshes, m => m.Has(Tags.Outcome, "permanent_failure") && m.Has(Tags.Reason, "block.http_error") && m.Has(Tags.ProviderStatus, 400));
        var lead = Assert.Single(recorded.Of(Names.RefreshTimeBeforeExpiry));
        Assert.InRange(lead.Value, 60, 24 * 3600); // refreshed on demand right after connecting: nearly the whole lifetime was left

        Assert.Contains(recorded.Of(Names.CredentialRequests), m => m.Has(Tags.Outcome, "ok"));
        Assert.Contains(recorded.Of(Names.CredentialDuration), m => m.Has(Tags.Outcome, "ok"));

        var changes = recorded.Of(Names.StatusChanges);
        Assert.Contains(changes, m => m.Has(Tags.FromStatus, "none") && m.Has(Tags.ToStatus, "pending"));
        Assert.Contains(changes, m => m.Has(Tags.FromStatus, "pending") && m.Has(Tags.ToStatus, "active"));
        Assert.Contains(changes, m => m.Has(Tags.FromStatus, "active") && m.Has(Tags.ToStatus, "reauth_required"));

        recorded.Observe();
        var gauge = recorded.Of(Names.Connections);
        Assert.Equal(5, gauge.Select(m => m.Tags[Tags.Status]).Distinct().Count());
        Assert.True(gauge.Sum(m => m.Value) >= 1, "The gauge counted no connection.");
    }

    [Fact]
    public async Task A_refresh_counts_as_unsaved_from_its_request_until_its_new_tokens_are_stored()
    {
        const string clientId = "metrics-unsaved";
        var connectionId = await Flow.ConnectOwnClientAsync(clientId);
        using var recorded = new RecordedMeasurements(fixture.Host);
        var providerAnswer = fixture.Provider.HoldNextIssuedTokens(clientId);

        var refresh = Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        var unsavedWhileHeld = recorded.Of(Names.RefreshesUnsaved).Sum(m => m.Value);
        var storedWhileHeld = recorded.Of(Names.RefreshStoreDuration).Count;
        providerAnswer.Release();
        using (var refreshed = await refresh)
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        Assert.Equal(1, unsavedWhileHeld);
        Assert.Equal(0, storedWhileHeld);
        Assert.Equal(0, recorded.Of(Names.RefreshesUnsaved).Sum(m => m.Value));
        Assert.InRange(Assert.Single(recorded.Of(Names.RefreshStoreDuration)).Value, 0, 20);

        // A refused refresh brings no tokens to store: it is settled without a store duration.
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // past the window in which an on-demand refresh is answered with the fresh token
        fixture.Provider.FailNextTokenRequests(1, 503);
        using (var failed = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            await Problem.AssertRetryLaterAsync(failed, ConnectionErrorCodes.RefreshFailed);
        }

        Assert.Equal([1, -1, 1, -1], recorded.Of(Names.RefreshesUnsaved).Select(m => m.Value));
        Assert.Single(recorded.Of(Names.RefreshStoreDuration));
    }

    [Fact]
    public async Task The_prometheus_endpoint_on_the_api_listener_needs_an_operator_key()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var workspaceKey = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using (var created = await Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read", "keys:write" }, description = "no operator" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            workspaceKey.DefaultRequestHeaders.Authorization = new("Bearer", (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!);
        }

        using var withoutKey = await anonymous.GetAsync("/metrics");
        using var withoutScope = await workspaceKey.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.DoesNotContain("viasocket_", await withoutKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prometheus_endpoint_serves_the_service_instruments_to_an_operator_key()
    {
        await Flow.PublishAsync("prom-crm", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await Flow.ConnectAsync("prom-crm", "v1", ownerId: "prom-owner"))["connectionId"];
        await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        var text = await Flow.Api.GetStringAsync("/metrics");

        Assert.Contains("viasocket_connections{", text, StringComparison.Ordinal);
        Assert.Contains("status=\"active\"", text, StringComparison.Ordinal);
        Assert.Contains("viasocket_block_runs_total{", text, StringComparison.Ordinal);
        Assert.Contains("block_kind=\"accessToken\"", text, StringComparison.Ordinal);
        Assert.Contains("viasocket_block_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("viasocket_credentials_requests_total{", text, StringComparison.Ordinal);
        Assert.Contains("viasocket_credentials_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("viasocket_connection_status_changes_total{", text, StringComparison.Ordinal);

        // Names the chaos harness reads (bench/ViaSocket.Chaos/SiloMetrics.cs).
        Assert.Contains("\nviasocket_refresh_unsaved{", text, StringComparison.Ordinal);
        Assert.Contains("\nviasocket_refresh_store_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);

        // Per-request authentication and authorization instruments are dropped from the hot path.
        Assert.DoesNotContain("aspnetcore_authorization_attempts", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore_authentication_authenticate_duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_trace_holds_the_token_exchange_and_test_me_spans_and_no_secret()
    {
        await Flow.PublishAsync("trace-crm", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            // What the tracer listens to when an OTLP endpoint is configured: the grain-call sources carry the trace across.
            ShouldListenTo = source => source.Name is ViaSocketActivities.SourceName or "Microsoft.AspNetCore" or "System.Net.Http"
                or ActivitySources.ApplicationGrainActivitySourceName or ActivitySources.RuntimeActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var (connectionId, authorizeUrl) = await Flow.StartAsync("trace-crm", "v1", ownerId: "trace-owner");
        var callbackUrl = await Flow.ConsentAsync(authorizeUrl);
        using (var callback = await Flow.CallbackAsync(callbackUrl))
        {
            Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
        }

        var accessToken = ((string)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials"))["headers"]!["Authorization"]!)["Bearer ".Length..];

        var ours = spans.Where(s => Equals(s.GetTagItem(ViaSocketActivities.Attributes.ConnectionId), connectionId)).ToList();
        var callbackSpan = Assert.Single(ours, s => s.OperationName == ViaSocketActivities.Names.Callback);
        Assert.Equal("ok", callbackSpan.GetTagItem(ViaSocketActivities.Attributes.Outcome));
        Assert.Equal("active", callbackSpan.GetTagItem(ViaSocketActivities.Attributes.ConnectionStatus));
        var blockRuns = ours.Where(s => s.OperationName == ViaSocketActivities.Names.BlockRun).ToList();
        Assert.Equal(["accessToken", "testMe"], blockRuns.OrderBy(s => s.StartTimeUtc).Select(s => (string?)s.GetTagItem(ViaSocketActivities.Attributes.BlockKind)));
        Assert.All(blockRuns, s => Assert.Equal(callbackSpan.TraceId, s.TraceId));
        Assert.All(blockRuns, s => Assert.Equal("trace-crm", s.GetTagItem(ViaSocketActivities.Attributes.PluginId)));

        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(callbackUrl.Query)["code"].ToString();
        var secrets = new[] { code, accessToken, ProviderDefinitions.ClientSecret };
        var traced = spans.Where(s => s.TraceId == callbackSpan.TraceId).SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}")).ToList();
        Assert.NotEmpty(traced);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(traced, attribute => attribute.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Each_lifecycle_event_is_one_structured_log_line_and_requests_carry_workspace_and_connection_scopes()
    {
        await Flow.PublishAsync("logs-crm", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await Flow.ConnectAsync("logs-crm", "v1", ownerId: "logs-owner"))["connectionId"];

        await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        }

        var lines = fixture.Host.Logs.Lines.Where(l => l.Contains($"default/{connectionId} of logs-crm/v1", StringComparison.Ordinal)).ToList();
        Assert.Single(lines, l => l.StartsWith("Information ", StringComparison.Ordinal) && l.Contains(": created; status ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Information ", StringComparison.Ordinal) && l.Contains(": connected; status active; detail none", StringComparison.Ordinal));

        // A refresh is routine: every connection has one every token lifetime.
        Assert.Single(lines, l => l.StartsWith("Debug ", StringComparison.Ordinal) && l.Contains(": refreshed; status active; detail none", StringComparison.Ordinal));
        Assert.Contains(fixture.Host.Logs.Lines, l => l.StartsWith("scope ", StringComparison.Ordinal)
            && l.Contains($"WorkspaceId=default ConnectionId={connectionId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Spans_are_recorded_only_when_an_OTLP_endpoint_is_configured()
    {
        Assert.Null(fixture.Host.App.Services.GetService<TracerProvider>());

        var keyDirectory = Path.Combine(Path.GetTempPath(), "viasocket-otlp-keys-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var exporting = await ViaSocketApplication.BuildAsync([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ViaSocket:Database:ConnectionString"] = fixture.ConnectionString,
                ["ViaSocket:Encryption:KeyDirectory"] = keyDirectory,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            }));

            Assert.NotNull(exporting.Services.GetService<TracerProvider>());
        }
        finally
        {
            if (Directory.Exists(keyDirectory))
            {
                Directory.Delete(keyDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        using var response = await Flow.Api.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The service with connections' Debug lines logged, as the runbook says to switch them on.</summary>
    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:ViaSocket.Grains.Connections.ConnectionGrain"] = "Debug",
        };
    }
}
