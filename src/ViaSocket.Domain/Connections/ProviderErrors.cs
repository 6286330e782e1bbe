using System.Text;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// Makes a provider's callback <c>error</c> safe to store and echo: the code is reduced to RFC 6749's character set
/// and the description is bounded and stripped of control characters.
/// </summary>
public static class ProviderErrors
{
    public const int MaxDescriptionLength = 200;

    public static string Code(string? error)
    {
        if (string.IsNullOrEmpty(error) || error.Length > 64 || !error.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return "invalid_error";
        }

        return error;
    }

    public static string Describe(string? error, string? description)
    {
        var text = new StringBuilder($"The provider returned '{Code(error)}'");
        if (!string.IsNullOrWhiteSpace(description))
        {
            var cleaned = new string([.. description.Where(c => !char.IsControl(c)).Take(MaxDescriptionLength)]);
            text.Append(": ").Append(cleaned);
        }

        return text.Append('.').ToString();
    }
}
