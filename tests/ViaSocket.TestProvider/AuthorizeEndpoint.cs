using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace ViaSocket.TestProvider;

/// <summary><c>/authorize</c>: GET shows the sign-in and consent form, POST (the form) redirects back with a code or an error.</summary>
internal static class AuthorizeEndpoint
{
    public const string Path = "/authorize";

    public static void MapAuthorize(this IEndpointRouteBuilder routes, ProviderRuntime runtime)
    {
        routes.MapGet(Path, (HttpContext http) => ShowForm(http.Request, runtime));
        routes.MapPost(Path, Task<IResult> (HttpContext http) => SubmitFormAsync(http, runtime));
    }

    private static IResult ShowForm(HttpRequest http, ProviderRuntime runtime)
    {
        string? Raw(string name) => RawQueryValue(http.QueryString.Value, name);
        return AuthorizationRequestValidator.Validate(http.Query, runtime.Directory.FindClient, Raw) switch
        {
            AuthorizeValidation.Valid valid => Html(StatusCodes.Status200OK, LoginPage.Render(HiddenFields(http.Query, valid.Request.Client, Raw), valid.Request, null)),
            var invalid => Refuse(invalid, runtime),
        };
    }

    /// <summary>
    /// The request's parameters as the form carries them back. A plus-splitting client's scope travels raw, so the
    /// POST sees the same text the GET did.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> HiddenFields(IQueryCollection query, TestClient client, Func<string, string?> raw)
    {
        var scopeName = client.ParameterName(OAuthWire.Parameters.Scope);
        return FirstValues(query).Select(pair =>
            client.ScopeSeparator == ScopeSeparator.Plus && pair.Key == scopeName ? KeyValuePair.Create(pair.Key, raw(scopeName) ?? "") : pair);
    }

    /// <summary>The value of <paramref name="name"/> in a raw query string, before any decoding.</summary>
    private static string? RawQueryValue(string? queryString, string name) =>
        (queryString ?? "").TrimStart('?').Split('&')
            .Select(pair => pair.Split('=', 2))
            .FirstOrDefault(pair => Uri.UnescapeDataString(pair[0]) == name) is [_, var value] ? value : null;

    private static async Task<IResult> SubmitFormAsync(HttpContext http, ProviderRuntime runtime)
    {
        if (!http.Request.HasFormContentType)
        {
            return Html(StatusCodes.Status400BadRequest, LoginPage.RenderError("The sign-in form must be posted as a form."));
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var requestParameters = form.Where(pair => !IsLoginField(pair.Key)).ToList();
        // The form's scope field already holds the raw text the GET received (see HiddenFields).
        var validation = AuthorizationRequestValidator.Validate(requestParameters, runtime.Directory.FindClient, name => form[name].ToString());
        if (validation is not AuthorizeValidation.Valid valid)
        {
            return Refuse(validation, runtime);
        }

        var request = valid.Request;
        switch (form[OAuthWire.LoginForm.Decision].ToString())
        {
            case OAuthWire.LoginForm.Deny:
                return RedirectWithError(request.Client, request.RedirectUri, request.State,
                    new OAuthError(OAuthWire.Errors.AccessDenied, "The user denied the request."), runtime);
            case OAuthWire.LoginForm.Allow:
                var user = runtime.Directory.Authenticate(
                    form[OAuthWire.LoginForm.Username].ToString(), form[OAuthWire.LoginForm.Password].ToString());
                if (user is null)
                {
                    return Html(StatusCodes.Status200OK,
                        LoginPage.Render(FirstValues(requestParameters), request, "Invalid username or password."));
                }

                var granted = request with { Scopes = [.. request.Scopes.Except(request.Client.WithheldScopes, StringComparer.Ordinal)] };
                var code = runtime.Store.CreateCode(granted, user);
                var parameters = new List<KeyValuePair<string, string?>>
                {
                    new(OAuthWire.Parameters.Code, code),
                    new(OAuthWire.Parameters.State, request.State),
                };
                AddIssuer(parameters, request.Client, runtime);
                parameters.AddRange(request.Client.CallbackExtras.Select(extra => KeyValuePair.Create<string, string?>(extra.Key, extra.Value)));
                return Results.Redirect(QueryHelpers.AddQueryString(request.RedirectUri, parameters));
            default:
                return Html(StatusCodes.Status400BadRequest, LoginPage.RenderError("Choose Allow or Deny."));
        }
    }

    private static IResult Refuse(AuthorizeValidation invalid, ProviderRuntime runtime) => invalid switch
    {
        AuthorizeValidation.RedirectedError error => RedirectWithError(error.Client, error.RedirectUri, error.State, error.Error, runtime),
        AuthorizeValidation.Rejected rejected => Html(StatusCodes.Status400BadRequest, LoginPage.RenderError(rejected.Message)),
        _ => throw new InvalidOperationException("A valid request is not a refusal."),
    };

    /// <summary>RFC 6749 4.1.2.1 error response; RFC 9207 puts <c>iss</c> on errors too.</summary>
    private static IResult RedirectWithError(TestClient client, string redirectUri, string? state, OAuthError error, ProviderRuntime runtime)
    {
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new(OAuthWire.Parameters.Error, error.Error),
            new(OAuthWire.Parameters.ErrorDescription, error.Description),
        };
        if (state is not null)
        {
            parameters.Add(new(OAuthWire.Parameters.State, state));
        }

        AddIssuer(parameters, client, runtime);
        return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, parameters));
    }

    private static void AddIssuer(List<KeyValuePair<string, string?>> parameters, TestClient client, ProviderRuntime runtime)
    {
        var issuer = client.IssuerParameter switch
        {
            IssuerParameterMode.Correct => runtime.Issuer,
            IssuerParameterMode.Wrong => TestClient.WrongIssuer,
            _ => null,
        };
        if (issuer is not null)
        {
            parameters.Add(new(OAuthWire.Parameters.Issuer, issuer));
        }
    }

    private static bool IsLoginField(string name) =>
        name is OAuthWire.LoginForm.Username or OAuthWire.LoginForm.Password or OAuthWire.LoginForm.Decision;

    private static IEnumerable<KeyValuePair<string, string>> FirstValues(IEnumerable<KeyValuePair<string, StringValues>> parameters) =>
        parameters.Where(pair => !IsLoginField(pair.Key)).Select(pair => KeyValuePair.Create(pair.Key, pair.Value.ToString()));

    private static IResult Html(int statusCode, string html) =>
        Results.Content(html, "text/html", Encoding.UTF8, statusCode);
}
