namespace ViaSocket.Domain.Templates;

/// <summary>Where and why a template failed to parse.</summary>
/// <param name="Position">Zero-based index into the template source.</param>
/// <param name="Message">What is wrong, without any rendered value.</param>
public sealed record TemplateSyntaxError(int Position, string Message)
{
    public override string ToString() => $"position {Position}: {Message}";
}

/// <summary>Thrown by <see cref="Template.Parse(string)"/> for a template that is not valid.</summary>
public sealed class TemplateSyntaxException(TemplateSyntaxError error)
    : Exception($"Template syntax error at {error}")
{
    public TemplateSyntaxError Error { get; } = error;

    public int Position => Error.Position;
}

/// <summary>
/// A template could not produce a value: a referenced path is missing, or a script expression failed.
/// The message names the path or expression, never a rendered value (which may be a secret).
/// </summary>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException(string message, string? path = null, string? member = null, Exception? innerException = null)
        : base(member is null ? message : $"{member}: {message}", innerException)
    {
        Detail = message;
        Path = path;
        Member = member;
    }

    /// <summary>The failure without the member prefix.</summary>
    public string Detail { get; }

    /// <summary>The template path or expression that failed, e.g. <c>context.authData.accesstokencode.access_token</c>.</summary>
    public string? Path { get; }

    /// <summary>JSON pointer of the definition member being rendered (e.g. <c>/append/headers/Authorization</c>), when known.</summary>
    public string? Member { get; }

    /// <summary>The same failure, attributed to the definition member <paramref name="member"/>.</summary>
    internal TemplateRenderException WithMember(string member) =>
        new(Detail, Path, member, InnerException);
}
