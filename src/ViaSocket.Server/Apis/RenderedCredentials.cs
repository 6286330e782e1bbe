using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ViaSocket.Connections;

namespace ViaSocket.Server.Apis;

/// <summary>
/// The credentials response as UTF-8 JSON, serialized once per credentials the in-process fast path serves. A local
/// activation publishes one <see cref="ConnectionCredentials"/> instance per token change and every read until the
/// next change shares it, so the bytes are keyed by that instance and go away with it.
/// </summary>
internal sealed class RenderedCredentials
{
    private readonly ConditionalWeakTable<ConnectionCredentials, byte[]> rendered = new();
    private readonly ConditionalWeakTable<ConnectionCredentials, byte[]>.CreateValueCallback render;

    public RenderedCredentials(IOptions<JsonOptions> json)
    {
        var options = json.Value.SerializerOptions;
        render = credentials => JsonSerializer.SerializeToUtf8Bytes(CredentialsResponse.From(credentials), options);
    }

    public Json For(ConnectionCredentials credentials) => new(rendered.GetValue(credentials, render));

    /// <summary>Writes bytes that already are the JSON body, as <see cref="TypedResults.Ok{TValue}(TValue)"/> would.</summary>
    public sealed class Json(byte[] utf8) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.ContentLength = utf8.Length;
            return httpContext.Response.Body.WriteAsync(utf8).AsTask();
        }
    }
}
