using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ViaSocket.Server.Apis;

/// <summary>
/// RFC 9457 problem details with a stable <c>code</c> extension; <c>type</c> is a URN derived from the code so
/// clients can switch on either.
/// </summary>
public static class Problems
{
    public const string CodeKey = "code";
    public const string ErrorsKey = "errors";

    public static ProblemDetails Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeFor(code),
            Title = TitleFor(status),
            Detail = detail,
        };
        problem.Extensions[CodeKey] = code;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return problem;
    }

    public static string TypeFor(string code) => "urn:viasocket:error:" + code;

    public static ProblemHttpResult Result(int status, string code, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(Create(status, code, detail, extensions));

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
}

/// <summary>Stable error codes of the HTTP API that are not owned by a grain.</summary>
public static class ApiErrorCodes
{
    public const string Unauthenticated = "auth.unauthenticated";
    public const string Forbidden = "auth.forbidden";
    public const string InvalidRequest = "request.invalid";
    public const string InvalidIdentifier = "request.invalid_identifier";
    public const string InvalidUtf8 = "request.invalid_utf8";
    public const string BodyTooLarge = "request.too_large";
    public const string NotFound = "request.not_found";
    public const string MethodNotAllowed = "request.method_not_allowed";
    public const string RateLimited = "request.rate_limited";
    public const string Internal = "server.error";
}
