using System.Text;
using Microsoft.Net.Http.Headers;
using ViaSocket.Server.Apis;

namespace ViaSocket.Server.Security;

/// <summary>
/// Refuses a JSON request body that is not valid UTF-8 (RFC 8259 §8.1) with 400 <see cref="ApiErrorCodes.InvalidUtf8"/>,
/// before any endpoint reads it. Left to the readers, invalid bytes were replaced by U+FFFD where a body is read as
/// text (definitions), skipped in members the model does not map, and refused only where a mapped string is decoded.
/// </summary>
internal sealed class Utf8JsonBodies(RequestDelegate next)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HasJsonBody(http.Request))
        {
            await next(http);
            return;
        }

        // Buffered so that the endpoint reads the same bytes again; the request size limits still apply.
        http.Request.EnableBuffering();
        bool valid;
        try
        {
            valid = await IsValidUtf8Async(http.Request.Body, http.RequestAborted);
        }
        catch (BadHttpRequestException tooLarge)
        {
            http.Response.StatusCode = tooLarge.StatusCode;
            await Results.Problem(statusCode: tooLarge.StatusCode).ExecuteAsync(http);
            return;
        }

        if (!valid)
        {
            await Problems.Result(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidUtf8, "The body is not valid UTF-8; JSON must be sent as UTF-8.")
                .ExecuteAsync(http);
            return;
        }

        http.Request.Body.Position = 0;
        await next(http);
    }

    private static bool HasJsonBody(HttpRequest request) =>
        request.ContentLength is not 0
        && MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static async Task<bool> IsValidUtf8Async(Stream body, CancellationToken cancellationToken)
    {
        // A decoder keeps a sequence split across two reads; flushing at the end catches one cut off by the end.
        var decoder = StrictUtf8.GetDecoder();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                decoder.GetCharCount(chunk, 0, read, flush: false);
            }

            decoder.GetCharCount([], 0, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

internal static class Utf8JsonBodiesExtensions
{
    /// <summary>Refuses JSON request bodies that are not valid UTF-8; see <see cref="Utf8JsonBodies"/>.</summary>
    public static IApplicationBuilder UseStrictUtf8JsonBodies(this IApplicationBuilder app) => app.UseMiddleware<Utf8JsonBodies>();
}
