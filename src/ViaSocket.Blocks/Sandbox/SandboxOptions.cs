namespace ViaSocket.Blocks.Sandbox;

/// <summary>Limits of the JavaScript sandbox; every run gets a fresh engine with these limits.</summary>
public sealed class SandboxOptions
{
    /// <summary>Wall-clock budget of a whole block, awaits and outbound calls included.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wall-clock budget of one template expression (synchronous, no awaits).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan ExpressionTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most statements a run may execute.</summary>
    /// <value>The default value is 1,000,000.</value>
    public int MaxStatements { get; set; } = 1_000_000;

    /// <summary>The deepest JavaScript call nesting allowed.</summary>
    /// <value>The default value is 256.</value>
    public int MaxRecursionDepth { get; set; } = 256;

    /// <summary>Managed bytes a run may allocate in total, summed across the threads it resumes on.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long MaxMemoryBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long one regular expression match may run (guards against ReDoS).</summary>
    /// <value>The default value is 100 milliseconds.</value>
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest array a script may create.</summary>
    /// <value>The default value is 100,000.</value>
    public uint MaxArrayLength { get; set; } = 100_000;

    /// <summary>Console lines kept per run; later lines are dropped.</summary>
    /// <value>The default value is 200.</value>
    public int MaxConsoleLines { get; set; } = 200;

    /// <summary>Console characters kept per run, over all lines.</summary>
    /// <value>The default value is 64 KiB.</value>
    public int MaxConsoleCharacters { get; set; } = 64 * 1024;

    /// <summary>Outbound HTTP calls a run may make.</summary>
    /// <value>The default value is 10.</value>
    public int MaxOutboundCalls { get; set; } = 10;

    /// <summary>The longest result (as JSON text) a block may return.</summary>
    /// <value>The default value is 1 MiB of characters.</value>
    public int MaxResultCharacters { get; set; } = 1024 * 1024;

    /// <summary>
    /// The deepest nesting of objects and arrays a block result may have (JavaScript and declarative blocks alike);
    /// results are stored inside authData and passed to later blocks, within the 64 levels JSON is read and written to.
    /// </summary>
    /// <value>The default value is 32.</value>
    public int MaxResultDepth { get; set; } = ViaSocket.Domain.BoundedJson.DefaultMaxDepth;

    /// <summary>Prepared scripts kept in memory (one per published block).</summary>
    /// <value>The default value is 2,048.</value>
    public int MaxCachedScripts { get; set; } = 2048;
}
