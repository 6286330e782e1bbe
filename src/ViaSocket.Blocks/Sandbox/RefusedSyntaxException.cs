namespace ViaSocket.Blocks.Sandbox;

/// <summary>Source that parses but uses syntax the sandbox refuses (<c>import()</c>); reported like a syntax error.</summary>
internal sealed class RefusedSyntaxException(string description, int line) : Exception(description)
{
    public string Description { get; } = description;

    /// <summary>The line in the wrapped source.</summary>
    public int Line { get; } = line;
}
