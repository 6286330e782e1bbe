using System.Text;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Console lines and the HTTP trace of one run, kept only when the caller asked for diagnostics, and bounded
/// either way. Never written to the process logs: console output can contain whatever the author printed.
/// </summary>
internal sealed class RunDiagnostics(bool capture, int maxConsoleLines, int maxConsoleCharacters)
{
    private const string TruncationMarker = "…";
    private readonly Lock _gate = new();
    private readonly List<ConsoleEntry> _console = [];
    private readonly List<HttpTraceEntry> _httpTrace = [];
    private int _consoleCharacters;

    public bool Capture => capture;

    public void Log(string level, string message)
    {
        if (!capture)
        {
            return;
        }

        lock (_gate)
        {
            var remaining = maxConsoleCharacters - _consoleCharacters;
            if (_console.Count >= maxConsoleLines || remaining <= 0)
            {
                return;
            }

            var kept = message.Length <= remaining ? message : string.Concat(message.AsSpan(0, remaining), TruncationMarker);
            _consoleCharacters += Math.Min(message.Length, remaining);
            _console.Add(new ConsoleEntry(level, kept));
        }
    }

    public void Trace(HttpTraceEntry entry)
    {
        if (!capture)
        {
            return;
        }

        lock (_gate)
        {
            _httpTrace.Add(entry);
        }
    }

    public IReadOnlyList<ConsoleEntry> Console
    {
        get
        {
            lock (_gate)
            {
                return [.. _console];
            }
        }
    }

    public IReadOnlyList<HttpTraceEntry> HttpTrace
    {
        get
        {
            lock (_gate)
            {
                return [.. _httpTrace];
            }
        }
    }
}

/// <summary>Renders URLs for traces: no user info, no fragment, query values replaced (names kept).</summary>
public static class UrlRedaction
{
    public const string RedactedValue = "***";

    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return RedactedValue;
        }

        var text = new StringBuilder(url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped));
        var query = url.Query.TrimStart('?');
        if (query.Length > 0)
        {
            text.Append('?').AppendJoin('&', query.Split('&').Select(pair =>
            {
                var separator = pair.IndexOf('=', StringComparison.Ordinal);
                return separator < 0 ? pair : pair[..separator] + "=" + RedactedValue;
            }));
        }

        return text.ToString();
    }
}
