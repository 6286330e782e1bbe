using System.Net;
using System.Text;

namespace ViaSocket.TestProvider;

/// <summary>The HTML a browser sees at <c>/authorize</c>: a sign-in and consent form, or an error page.</summary>
internal static class LoginPage
{
    public static string Render(
        IEnumerable<KeyValuePair<string, string>> requestParameters,
        AuthorizationRequest request,
        string? errorMessage)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in - Test Provider</title></head><body>");
        html.Append("<h1>Sign in to Test Provider</h1>");
        html.Append("<p><strong>").Append(Encode(request.Client.ClientId)).Append("</strong> asks for: ")
            .Append(Encode(string.Join(", ", request.Scopes))).Append("</p>");
        if (errorMessage is not null)
        {
            html.Append("<p class=\"error\">").Append(Encode(errorMessage)).Append("</p>");
        }

        html.Append("<form method=\"post\" action=\"/authorize\">");
        foreach (var (name, value) in requestParameters)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(Encode(name))
                .Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        html.Append("<label>Username <input type=\"text\" name=\"").Append(OAuthWire.LoginForm.Username)
            .Append("\" autocomplete=\"username\"></label>");
        html.Append("<label>Password <input type=\"password\" name=\"").Append(OAuthWire.LoginForm.Password)
            .Append("\" autocomplete=\"current-password\"></label>");
        html.Append("<button type=\"submit\" name=\"").Append(OAuthWire.LoginForm.Decision)
            .Append("\" value=\"").Append(OAuthWire.LoginForm.Allow).Append("\">Allow</button>");
        html.Append("<button type=\"submit\" name=\"").Append(OAuthWire.LoginForm.Decision)
            .Append("\" value=\"").Append(OAuthWire.LoginForm.Deny).Append("\">Deny</button>");
        html.Append("</form></body></html>");
        return html.ToString();
    }

    public static string RenderError(string message) =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Authorization error - Test Provider</title></head><body>"
        + "<h1>Authorization error</h1><p class=\"error\">" + Encode(message) + "</p></body></html>";

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
