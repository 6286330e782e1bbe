using System.Text;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// Follows a URL template's literal text through the parts of a URL (RFC 3986 section 3) to tell which component
/// each expression lands in. Deliberately strict: what it cannot place for certain is refused.
/// </summary>
internal sealed class UrlStructureScanner
{
    private State state = State.Start;
    private int slashes;

    private enum State { Start, Scheme, SchemeSlashes, Host, IpLiteral, Port, Path, Query, Fragment, AfterBaseUrl }

    /// <summary>Consumes literal text; appends what belongs to the host to <paramref name="host"/>. Returns an error or null.</summary>
    public string? Literal(string text, StringBuilder? host = null)
    {
        foreach (var c in text)
        {
            switch (state)
            {
                case State.Start or State.Scheme when c == ':' && state == State.Scheme:
                    state = State.SchemeSlashes;
                    slashes = 0;
                    break;
                case State.Start or State.Scheme when char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.':
                    state = State.Scheme;
                    break;
                case State.Start or State.Scheme:
                    return "A URL must start with its scheme, such as https://.";
                case State.SchemeSlashes when c == '/':
                    state = ++slashes == 2 ? State.Host : State.SchemeSlashes;
                    break;
                case State.SchemeSlashes:
                    return "The scheme must be followed by '//' and the host.";
                case State.Host or State.Port when c == '@':
                    return "A URL template cannot carry user info ('@' before the path).";
                case State.Host when c == '[':
                    state = State.IpLiteral;
                    host?.Append(c);
                    break;
                case State.Host when c == ':':
                    state = State.Port;
                    break;
                case State.IpLiteral:
                    state = c == ']' ? State.Host : State.IpLiteral;
                    host?.Append(c);
                    break;
                case State.Host when c is not ('/' or '?' or '#'):
                    host?.Append(c);
                    break;
                case State.Host or State.Port or State.AfterBaseUrl or State.Path or State.Query when c is '/' or '?' or '#':
                    state = NextAfterAuthority(state, c);
                    break;
                case State.AfterBaseUrl:
                    return "A value that starts the URL must be followed by '/', '?', '#' or the end of the URL.";
                default:
                    break;
            }
        }

        return null;
    }

    /// <summary>Places the next expression; returns an error when no value may go there.</summary>
    public string? Expression(out UrlComponent component)
    {
        (component, string? error) = state switch
        {
            State.Start => (UrlComponent.BaseUrl, (string?)null),
            State.Scheme or State.SchemeSlashes => (default, "The scheme cannot come from a value."),
            State.Host => (UrlComponent.Host, null),
            State.IpLiteral => (default, "An IP address literal cannot come from a value."),
            State.Port => (UrlComponent.Port, null),
            State.Path => (UrlComponent.Path, null),
            State.Query => (UrlComponent.Query, null),
            State.Fragment => (UrlComponent.Fragment, null),
            _ => (default, "A value that starts the URL must be followed by '/', '?', '#' or the end of the URL."),
        };
        if (error is null && state == State.Start)
        {
            state = State.AfterBaseUrl;
        }

        return error;
    }

    private static State NextAfterAuthority(State current, char c) => c switch
    {
        '#' => State.Fragment,
        '?' => State.Query,
        _ => current is State.Query ? State.Query : State.Path,
    };
}
