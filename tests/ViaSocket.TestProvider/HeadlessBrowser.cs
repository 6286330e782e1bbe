using System.Net;
using System.Text.RegularExpressions;

namespace ViaSocket.TestProvider;

/// <summary>
/// Signs in the way a browser would: loads the authorize page, reads the form out of its HTML, fills the
/// visible fields, "clicks" the labelled button and returns where the server redirected, without following it.
/// </summary>
internal sealed partial class HeadlessBrowser(HttpClient http)
{
    public async Task<Uri> LoginAsync(Uri authorizeUrl, string username, string password, bool allow, CancellationToken cancellationToken)
    {
        using var page = await http.GetAsync(authorizeUrl, cancellationToken);
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        if (page.StatusCode == HttpStatusCode.Found && page.Headers.Location is { } early)
        {
            // The server refused the request outright and reported the error to the callback.
            return new Uri(authorizeUrl, early);
        }

        if (page.StatusCode != HttpStatusCode.OK || FormPattern().Match(html) is not { Success: true } form)
        {
            throw new InvalidOperationException($"The authorize page did not show a login form (HTTP {(int)page.StatusCode}).");
        }

        var fields = FillFields(form.Groups["body"].Value, username, password, allow ? "Allow" : "Deny");
        var action = new Uri(authorizeUrl, Attribute(form.Groups["attributes"].Value, "action") ?? authorizeUrl.AbsolutePath);

        using var content = new FormUrlEncodedContent(fields);
        using var submitted = await http.PostAsync(action, content, cancellationToken);
        if (submitted.StatusCode != HttpStatusCode.Found || submitted.Headers.Location is not { } location)
        {
            throw new InvalidOperationException(
                $"Submitting the login form did not redirect (HTTP {(int)submitted.StatusCode}); the credentials may be wrong.");
        }

        return new Uri(action, location);
    }

    private static List<KeyValuePair<string, string>> FillFields(string formBody, string username, string password, string buttonLabel)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputPattern().Matches(formBody))
        {
            var attributes = input.Groups["attributes"].Value;
            if (Attribute(attributes, "name") is not { } name)
            {
                continue;
            }

            var value = Attribute(attributes, "type") switch
            {
                "password" => password,
                "text" or "email" => username,
                _ => Attribute(attributes, "value") ?? string.Empty,
            };
            fields.Add(KeyValuePair.Create(name, value));
        }

        var button = ButtonPattern().Matches(formBody)
            .FirstOrDefault(match => string.Equals(match.Groups["label"].Value.Trim(), buttonLabel, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"The login form has no '{buttonLabel}' button.");
        if (Attribute(button.Groups["attributes"].Value, "name") is { } buttonName)
        {
            fields.Add(KeyValuePair.Create(buttonName, Attribute(button.Groups["attributes"].Value, "value") ?? string.Empty));
        }

        return fields;
    }

    private static string? Attribute(string attributes, string name) =>
        AttributePattern().Matches(attributes)
            .FirstOrDefault(match => string.Equals(match.Groups["name"].Value, name, StringComparison.OrdinalIgnoreCase))
            is { } found
            ? WebUtility.HtmlDecode(found.Groups["value"].Value)
            : null;

    [GeneratedRegex("""<form\b(?<attributes>[^>]*)>(?<body>.*?)</form>""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input\b(?<attributes>[^>]*)>""", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex("""<button\b(?<attributes>[^>]*)>(?<label>.*?)</button>""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ButtonPattern();

    [GeneratedRegex(@"(?<name>[a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*""(?<value>[^""]*)""")]
    private static partial Regex AttributePattern();
}
