using ViaSocket.Server.Apis;

namespace ViaSocket.Server.Security;

/// <summary>
/// Bounds on what a request may carry, and problem+json with a stable <c>code</c> for every request the framework
/// itself refuses (a malformed JSON body, a missing query parameter, a body over the limit, an unknown route).
/// </summary>
internal static class RequestLimits
{
    /// <summary>Any request body. Definitions have their own, smaller cap (<see cref="AuthVersionsApi.MaxDefinitionBytes"/>).</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static void AddRequestLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;

            // The longest legitimate URL is a provider's callback: code, state and a few extras fit in 8 KiB.
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
        });

        // Also in Development: a bad request is answered (400 problem), never thrown.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        builder.Services.Configure<ProblemDetailsOptions>(o =>
        {
            var previous = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                AddCode(context);
            };
        });
    }

    /// <summary>Problems the service writes itself carry a code already; the framework's get one by status.</summary>
    private static void AddCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey(Problems.CodeKey))
        {
            return;
        }

        var (code, detail) = (problem.Status ?? context.HttpContext.Response.StatusCode) switch
        {
            StatusCodes.Status400BadRequest => (ApiErrorCodes.InvalidRequest, "The request could not be read: a required parameter is missing or the body is not JSON of the expected shape."),
            StatusCodes.Status404NotFound => (ApiErrorCodes.NotFound, "There is nothing at this path."),
            StatusCodes.Status405MethodNotAllowed => (ApiErrorCodes.MethodNotAllowed, "This path does not accept this method."),
            StatusCodes.Status413PayloadTooLarge => (ApiErrorCodes.BodyTooLarge, $"The body must be at most {MaxBodyBytes} bytes."),
            StatusCodes.Status415UnsupportedMediaType => (ApiErrorCodes.InvalidRequest, "The body must be application/json."),
            >= StatusCodes.Status500InternalServerError => (ApiErrorCodes.Internal, "The service could not handle the request."),
            _ => (ApiErrorCodes.InvalidRequest, "The request was refused."),
        };
        problem.Extensions[Problems.CodeKey] = code;
        problem.Type = Problems.TypeFor(code);
        problem.Detail ??= detail;
    }
}
