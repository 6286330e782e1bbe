using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// The checks a field value passes on its own, before any template sees it: no control characters (a CR/LF would
/// split a header or a log line), the field's <c>format</c> and its <c>pattern</c>.
/// </summary>
public static class FieldFormatRules
{
    /// <summary>Patterns run without backtracking (linear time) and with a timeout as a second line.</summary>
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The problem with <paramref name="value"/> for <paramref name="field"/>, or null. Messages never quote the value.</summary>
    public static FieldProblem? Problem(FieldDefinition field, string value)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(value);
        var name = field.Label ?? field.Key;
        if (value.Any(char.IsControl))
        {
            return new FieldProblem(field.Key, FieldProblemCodes.ControlCharacter, $"'{name}' cannot contain control characters such as line breaks or tabs.");
        }

        if (field.Format is { } format && FormatProblem(format, value) is { } problem)
        {
            return new FieldProblem(field.Key, FieldProblemCodes.InvalidFormat, $"'{name}' {problem}");
        }

        if (field.Pattern is { } pattern && !Matches(pattern, value))
        {
            return new FieldProblem(field.Key, FieldProblemCodes.PatternMismatch, $"'{name}' does not have the form this field asks for.");
        }

        return null;
    }

    /// <summary>Compiles a field pattern as values are checked with it; throws <see cref="ArgumentException"/> when it is not valid.</summary>
    public static Regex CompilePattern(string pattern) =>
        new($"\\A(?:{pattern})\\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout);

    private static bool Matches(string pattern, string value)
    {
        try
        {
            return CompilePattern(pattern).IsMatch(value);
        }
        catch (Exception error) when (error is ArgumentException or RegexMatchTimeoutException or NotSupportedException)
        {
            // Validation refuses such patterns; one stored before that rule matches nothing rather than everything.
            return false;
        }
    }

    private static string? FormatProblem(string format, string value) => format switch
    {
        FieldFormats.DnsLabel => HostNames.Problem(value, dotted: false) is null ? null : "must be one DNS label: letters, digits and inner hyphens.",
        FieldFormats.Hostname => HostNames.Problem(value, dotted: true) is null ? null : "must be a host name: labels of letters, digits and inner hyphens separated by dots.",
        FieldFormats.Url => IsPlainHttpsUrl(value) ? null : "must be an absolute https URL without user info, query or fragment.",
        FieldFormats.Email => IsEmail(value) ? null : "must be an email address.",
        FieldFormats.Integer => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "must be a whole number.",
        _ => null,
    };

    /// <summary>An absolute https URL (http only for loopback hosts) without user info, query or fragment.</summary>
    internal static bool IsPlainHttpsUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && !string.IsNullOrEmpty(uri.Host) && string.IsNullOrEmpty(uri.UserInfo) && uri.Query.Length == 0 && uri.Fragment.Length == 0
        && value.AsSpan().IndexOfAny('@', '\\') < 0;

    private static bool IsEmail(string value) =>
        MailAddress.TryCreate(value, out var address) && address.Address == value && !value.Contains(' ', StringComparison.Ordinal);
}
