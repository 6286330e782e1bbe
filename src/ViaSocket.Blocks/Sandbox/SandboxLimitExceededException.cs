namespace ViaSocket.Blocks.Sandbox;

/// <summary>Thrown by the sandbox's own constraints; never visible to scripts (it is not a JavaScript error).</summary>
internal sealed class SandboxLimitExceededException(string limit, string message) : Exception(message)
{
    /// <summary>Which limit (see <see cref="SandboxLimits"/>).</summary>
    public string Limit { get; } = limit;
}

/// <summary>Names of the sandbox limits, as reported in <see cref="BlockFailure.Message"/>.</summary>
public static class SandboxLimits
{
    public const string Timeout = "timeout";
    public const string Statements = "statements";
    public const string RecursionDepth = "recursion depth";
    public const string Memory = "memory";
    public const string RegexTimeout = "regex timeout";
    public const string ArrayLength = "array length";
    public const string OutboundCalls = "outbound calls";
    public const string ResultSize = "result size";
    public const string ResultDepth = "result depth";
}
