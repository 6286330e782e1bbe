using System.Buffers.Binary;

namespace ViaSocket.Blocks.Isolation;

/// <summary>
/// The framing of the silo ↔ runner channel: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. Each
/// side reads with a ceiling, so a runner cannot make the silo buffer more than it allows.
/// </summary>
internal static class RunnerFrames
{
    /// <summary>What a runner may send in one frame: a result, console lines and an outbound request, with room for JSON escaping.</summary>
    public const int MaxFromRunnerBytes = 16 * 1024 * 1024;

    /// <summary>What the silo sends in one frame: code, context and a provider response (the outbound client bounds those).</summary>
    public const int MaxToRunnerBytes = 64 * 1024 * 1024;

    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next frame, or null when the stream ended cleanly between frames.</summary>
    /// <exception cref="RunnerProtocolException">The frame is larger than <paramref name="maxBytes"/>, or the stream ended inside one.</exception>
    public static async Task<byte[]?> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await FillAsync(stream, header, allowEndAtStart: true, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 0 || length > maxBytes)
        {
            throw new RunnerProtocolException(RunnerProtocolException.FrameTooLarge, $"A frame of {length} bytes is over the {maxBytes}-byte limit.");
        }

        var payload = new byte[length];
        await FillAsync(stream, payload, allowEndAtStart: false, cancellationToken).ConfigureAwait(false);
        return payload;
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, bool allowEndAtStart, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                return read == 0 && allowEndAtStart
                    ? false
                    : throw new RunnerProtocolException(RunnerProtocolException.Truncated, "The channel ended inside a frame.");
            }

            read += count;
        }

        return true;
    }
}

/// <summary>The other side broke the channel's rules (oversized or truncated frame, unexpected message).</summary>
internal sealed class RunnerProtocolException(string reason, string message) : Exception(message)
{
    public const string FrameTooLarge = "frame_too_large";
    public const string Truncated = "truncated";
    public const string Unexpected = "unexpected_message";

    public string Reason { get; } = reason;
}
