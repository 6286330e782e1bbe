using System.Text.Json;
using System.Text.Json.Serialization;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Isolation;

/// <summary>A message on the silo ↔ runner channel (one per frame, JSON with a <c>type</c> member).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunMessage), "run")]
[JsonDerivedType(typeof(HttpReplyMessage), "http-reply")]
[JsonDerivedType(typeof(ReadyMessage), "ready")]
[JsonDerivedType(typeof(HttpCallMessage), "http")]
[JsonDerivedType(typeof(DoneMessage), "done")]
internal abstract record RunnerMessage
{
    public byte[] ToFrame() => JsonSerializer.SerializeToUtf8Bytes(this, RunnerJson.Default.RunnerMessage);

    /// <exception cref="RunnerProtocolException">The frame is not a message.</exception>
    public static RunnerMessage FromFrame(byte[] frame)
    {
        try
        {
            return JsonSerializer.Deserialize(frame, RunnerJson.Default.RunnerMessage)
                ?? throw new RunnerProtocolException(RunnerProtocolException.Unexpected, "An empty message.");
        }
        catch (Exception error) when (error is JsonException or NotSupportedException)
        {
            throw new RunnerProtocolException(RunnerProtocolException.Unexpected, "A frame that is not a runner message.");
        }
    }
}

/// <summary>Silo → runner: run one block. Carries only that block's code, its connection's context and the limits.</summary>
internal sealed record RunMessage(long Id, string CacheKey, string Code, string ContextJson, SandboxOptions Limits, bool CaptureConsole) : RunnerMessage;

/// <summary>Silo → runner: the answer to an outbound request of the running block.</summary>
internal sealed record HttpReplyMessage(long Id, int Call, string Response) : RunnerMessage;

/// <summary>Runner → silo: started, limits applied (what the OS accepted).</summary>
internal sealed record ReadyMessage(RunnerIsolation Isolation) : RunnerMessage;

/// <summary>Runner → silo: the running block wants to send a request (the prelude's request envelope).</summary>
internal sealed record HttpCallMessage(long Id, int Call, string Request) : RunnerMessage;

/// <summary>Runner → silo: the run ended; with <paramref name="Exiting"/>, so does the runner (heap exhausted, run would not stop).</summary>
internal sealed record DoneMessage(long Id, string? ResultJson, RunnerFailure? Failure, IReadOnlyList<ConsoleEntry> Console, bool Exiting = false) : RunnerMessage;

/// <summary>A <see cref="BlockFailure"/> on the wire.</summary>
internal sealed record RunnerFailure(BlockFailureKind Kind, string Code, string Message, int? HttpStatus, string? ResponseDataJson, double? RetryAfterSeconds)
{
    public static RunnerFailure From(BlockFailure failure) => new(
        failure.Kind, failure.Code, failure.Message, failure.HttpStatus, failure.ResponseData?.ToJsonString(), failure.RetryAfter?.TotalSeconds);

    public BlockFailure ToFailure(int maxDepth) => new(
        Kind,
        Code,
        Message,
        HttpStatus,
        ResponseDataJson is null ? null : SandboxOutcome.ParseData(ResponseDataJson, maxDepth),
        RetryAfterSeconds is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(Math.Min(seconds, 86_400)) : null);
}

/// <summary>What a runner put in place before it accepted work; the silo logs it and exposes it to health checks.</summary>
/// <param name="Pid">The runner's process id.</param>
/// <param name="Uid">The user it runs as (65534 after dropping root).</param>
/// <param name="HeapLimitBytes">The .NET GC hard heap limit it runs under.</param>
/// <param name="DataLimitBytes">RLIMIT_DATA: the kernel's ceiling on its writable memory.</param>
/// <param name="CpuLimited">Each run gets an RLIMIT_CPU budget.</param>
/// <param name="LandlockAbi">The Landlock ABI used to deny writes outside its temp folder (0: not available).</param>
/// <param name="NetworkDenied">Landlock also denies TCP connect and bind.</param>
/// <param name="IdlePriority">Every thread runs under SCHED_IDLE at nice 19 (asked of test-run runners).</param>
internal sealed record RunnerIsolation(int Pid, int Uid, long HeapLimitBytes, long DataLimitBytes, bool CpuLimited, int LandlockAbi, bool NetworkDenied, bool IdlePriority = false);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunnerMessage))]
internal sealed partial class RunnerJson : JsonSerializerContext;
