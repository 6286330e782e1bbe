using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Acornima;
using Jint;
using Jint.Runtime;
using ViaSocket.Domain;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Turns what a sandbox run produced — the prelude's outcome envelope or an exception from the engine — into a
/// result or a classified <see cref="BlockFailure"/>. Messages name the limit or the JavaScript error only:
/// no .NET types, no stack traces, no context values.
/// </summary>
internal static class SandboxOutcome
{
    /// <summary>Reads the outcome envelope within the result limits of <paramref name="limits"/>.</summary>
    public static (JsonNode? Result, BlockFailure? Failure) FromEnvelope(string envelope, SandboxOptions limits, TimeProvider timeProvider)
    {
        if (envelope.Length > limits.MaxResultCharacters + 64)
        {
            return (null, Limit(SandboxLimits.ResultSize, $"The block's result is longer than {limits.MaxResultCharacters} characters."));
        }

        // The envelope is JSON.stringify output: the result sits one level below its root.
        var outcome = BoundedJson.TryParse(envelope, limits.MaxResultDepth + 1, out var parsed);
        if (outcome != BoundedJsonOutcome.Parsed)
        {
            return (null, UnusableResult(outcome, limits.MaxResultDepth));
        }

        var root = parsed!.AsObject();
        if (root["ok"]!.GetValue<bool>())
        {
            return (root["result"]?.DeepClone(), null);
        }

        var failure = root["failure"]!.AsObject();
        var message = failure["message"]?.GetValue<string>() ?? "The block failed.";
        return (null, failure["kind"]!.GetValue<string>() switch
        {
            "http" => HttpFailure(
                failure["status"]!.GetValue<int>(),
                failure["dataJson"]?.GetValue<string>() is { } data ? ParseData(data, limits.MaxResultDepth) : null,
                failure["retryAfter"]?.GetValue<string>(),
                timeProvider),
            "outbound" => OutboundFailure(failure["code"]?.GetValue<string>(), message),
            "limit" => Limit(failure["limit"]!.GetValue<string>(), message),
            "invalidResult" => new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.InvalidResult, message),
            "declared" => ProviderOutcomeCheck.Declared(
                failure["outcome"]?.GetValue<string>() != "transient",
                message,
                failure["retryAfterSeconds"]?.GetValue<double>() is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(Math.Min(seconds, 86_400)) : null),
            _ => ScriptFailure(message, SandboxEngine.AuthorLine(failure["line"]?.GetValue<int>())),
        });
    }

    /// <summary>A non-2xx response that escaped the block (or a declarative request); 3xx means a refused redirect.</summary>
    public static BlockFailure HttpFailure(int status, JsonNode? data, string? retryAfter, TimeProvider timeProvider)
    {
        if (status is >= 300 and < 400)
        {
            return new BlockFailure(BlockFailureKind.Refused, BlockErrorCodes.RedirectRefused,
                $"The provider answered with a redirect ({status}); redirects are not followed.", status, data);
        }

        return new BlockFailure(BlockFailureKind.HttpStatus, BlockErrorCodes.HttpError,
            $"The provider answered with status {status}.", status, data, ParseRetryAfter(retryAfter, timeProvider));
    }

    /// <summary>Maps an engine exception; null when the exception is not the block's doing (e.g. caller cancellation).</summary>
    public static BlockFailure? FromException(Exception error, TimeSpan budget) => error switch
    {
        // Before TimeoutException, which it derives from.
        RegexMatchTimeoutException => Limit(SandboxLimits.RegexTimeout, "A regular expression ran longer than allowed."),
        TimeoutException => new BlockFailure(BlockFailureKind.Timeout, BlockErrorCodes.Timeout,
            $"The block ran longer than its {budget.TotalSeconds:0.###} s limit ({SandboxLimits.Timeout})."),
        SandboxLimitExceededException limit => Limit(limit.Limit, limit.Message),
        StatementsCountOverflowException => Limit(SandboxLimits.Statements, "The block executed too many statements."),
        RecursionDepthOverflowException => Limit(SandboxLimits.RecursionDepth, "The block nested function calls too deeply."),
        // Only the array-length cap is configured through Jint's own memory checks.
        MemoryLimitExceededException => Limit(SandboxLimits.ArrayLength, "The block created an array longer than allowed."),
        InsufficientExecutionStackException => Limit(SandboxLimits.RecursionDepth, "The block exceeded the call stack."),
        ScriptPreparationException { InnerException: ParseErrorException parse } => SyntaxFailure(parse.Description, parse.LineNumber),
        RefusedSyntaxException refused => SyntaxFailure(refused.Description, refused.Line),
        JavaScriptException script => ScriptFailure(script.Message, SandboxEngine.AuthorLine(script.Location.Start.Line)),
        JintException => new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.ScriptError, "The block failed in the sandbox."),
        _ => null,
    };

    private static BlockFailure SyntaxFailure(string description, int wrappedLine)
    {
        var line = SandboxEngine.AuthorLine(wrappedLine);
        return new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.SyntaxError,
            line is null ? $"SyntaxError: {description}" : $"SyntaxError: {description} (line {line})");
    }

    private static BlockFailure ScriptFailure(string message, int? line)
        => new(BlockFailureKind.Script, BlockErrorCodes.ScriptError, line is null ? message : $"{message} (line {line})");

    /// <summary>A sandbox limit; memory has its own code, whichever layer (interpreter or process) stopped the run.</summary>
    public static BlockFailure Limit(string limit, string message)
        => new(BlockFailureKind.LimitExceeded, limit == SandboxLimits.Memory ? BlockErrorCodes.MemoryExceeded : BlockErrorCodes.LimitExceeded,
            $"Sandbox limit exceeded ({limit}): {message}");

    private static BlockFailure OutboundFailure(string? code, string message) => code switch
    {
        OutboundErrorCodes.Timeout => new(BlockFailureKind.Timeout, BlockErrorCodes.Timeout, message),
        OutboundErrorCodes.AddressRefused => new(BlockFailureKind.Refused, BlockErrorCodes.AddressRefused, message),
        OutboundErrorCodes.ResponseTooLarge => new(BlockFailureKind.Refused, BlockErrorCodes.ResponseTooLarge, message),
        OutboundErrorCodes.Unreachable => new(BlockFailureKind.Network, BlockErrorCodes.Unreachable, message),
        OutboundErrorCodes.InvalidRequest or "ERR_NOT_SUPPORTED" => new(BlockFailureKind.Script, BlockErrorCodes.ScriptError, message),
        _ => new(BlockFailureKind.Network, BlockErrorCodes.NetworkError, message),
    };

    /// <summary>
    /// A successful response body as a block result: its JSON, or the text itself when it is not JSON; JSON nested
    /// deeper than <paramref name="maxDepth"/> or escaping a lone surrogate fails the block.
    /// </summary>
    public static (JsonNode? Result, BlockFailure? Failure) FromResponseBody(string body, int maxDepth) =>
        BoundedJson.TryParse(body, maxDepth, out var data) switch
        {
            BoundedJsonOutcome.Parsed => (data, null),
            BoundedJsonOutcome.NotJson => (JsonValue.Create(body), null),
            var unusable => (null, UnusableResult(unusable, maxDepth)),
        };

    /// <summary>A provider's response body for a failure report: its JSON, or the text itself when that cannot be kept as JSON.</summary>
    public static JsonNode? ParseData(string text, int maxDepth)
        => BoundedJson.TryParse(text, maxDepth, out var data) == BoundedJsonOutcome.Parsed ? data : JsonValue.Create(text);

    private static BlockFailure UnusableResult(BoundedJsonOutcome outcome, int maxDepth) => outcome == BoundedJsonOutcome.TooDeep
        ? Limit(SandboxLimits.ResultDepth, $"The block's result nests objects and arrays deeper than {maxDepth} levels.")
        : new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.InvalidResult,
            "The block produced a string that is not valid Unicode (an unpaired surrogate).");

    /// <summary>Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3).</summary>
    public static TimeSpan? ParseRetryAfter(string? value, TimeProvider timeProvider)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delay = date - timeProvider.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }
}
