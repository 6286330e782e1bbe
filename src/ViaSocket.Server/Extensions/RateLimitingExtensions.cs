using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Extensions;

/// <summary>The <c>ViaSocket:RateLimits</c> section. Both limits count over fixed one-minute windows.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>
    /// Connection starts (<c>POST /v1/connections</c>, <c>GET /v1/connections/authorize</c>) per workspace per
    /// minute. The default value is 600.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ConnectionStartsPerMinute { get; set; } = 600;

    /// <summary>OAuth callbacks per client IP address per minute. The default value is 120.</summary>
    [Range(1, 1_000_000)]
    public int CallbacksPerMinutePerIp { get; set; } = 120;

    /// <summary>
    /// Failed API key authentications (unknown, wrong or revoked keys, on the API and the UI sign-in) per client IP
    /// address per minute; past it, keys not already verified are answered 429 until the minute ends. The default value
    /// is 30.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailedAuthenticationsPerMinutePerIp { get; set; } = 30;
}

internal static class RateLimitingExtensions
{
    public const string ConnectionStartPolicy = "connection-start";
    public const string CallbackPolicy = "oauth-callback";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Partitioned limiters: connection starts per workspace (each start creates a pending authorization, so one
    /// tenant cannot flood the cluster for everyone), the anonymous OAuth callback per client IP (it makes guessing
    /// states expensive). Rejections are 429 problems with <c>Retry-After</c>.
    /// </summary>
    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection($"{ServerOptions.SectionName}:{RateLimitOptions.SectionName}"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = WriteRejectionAsync;
            limiter.AddPolicy(ConnectionStartPolicy, http => FixedWindow(WorkspacePartition(http), Limits(http).ConnectionStartsPerMinute));
            limiter.AddPolicy(CallbackPolicy, http => FixedWindow(IpPartition(http), Limits(http).CallbacksPerMinutePerIp));
        });
    }

    private static RateLimitOptions Limits(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    // Start endpoints require an API key and authorization runs before the limiter, so the workspace is known; the IP
    // fallback only keeps a misconfigured pipeline limited instead of failing.
    private static string WorkspacePartition(HttpContext http) =>
        http.User.FindFirstValue(ApiKeyClaims.WorkspaceId) is { } workspaceId ? "workspace:" + workspaceId : IpPartition(http);

    private static string IpPartition(HttpContext http) => "ip:" + http.Connection.RemoteIpAddress;

    private static RateLimitPartition<string> FixedWindow(string partition, int permitsPerWindow) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerWindow,
            Window = Window,
            QueueLimit = 0,
        });

    private static ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken) =>
        new(WriteRateLimitedAsync(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window));

    public static Task WriteRateLimitedAsync(HttpContext http, TimeSpan retryAfter) => RateLimited(http, retryAfter).ExecuteAsync(http);

    /// <summary>429 problem, with <c>Retry-After</c> in whole seconds (at least 1) set on the response.</summary>
    public static ProblemHttpResult RateLimited(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.Result(
            StatusCodes.Status429TooManyRequests,
            ApiErrorCodes.RateLimited,
            "Too many requests of this kind; retry after the number of seconds in Retry-After.");
    }
}
