using System.Collections.Concurrent;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.BlockRunner;

/// <summary>A block's outbound requests, relayed to the silo, which applies the URL policy and the guard and sends them.</summary>
internal sealed class RelayedBlockHttp(RunnerChannel channel, long runId) : IBlockHttpChannel
{
    // Room for the message around the request itself.
    private const int MaxRequestCharacters = (RunnerFrames.MaxFromRunnerBytes / 2) - 1024;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<string>> _pending = new();
    private int _calls;

    public async Task<string> SendAsync(string requestJson, CancellationToken cancellationToken)
    {
        if (requestJson.Length > MaxRequestCharacters)
        {
            return OutboundEnvelopes.Failure(OutboundErrorCodes.InvalidRequest, "The request is too large to send.");
        }

        var call = Interlocked.Increment(ref _calls);
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[call] = answer;
        await channel.SendAsync(new HttpCallMessage(runId, call, requestJson)).ConfigureAwait(false);
        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Complete(HttpReplyMessage reply)
    {
        if (_pending.TryRemove(reply.Call, out var answer))
        {
            answer.TrySetResult(reply.Response);
        }
    }
}

/// <summary>Writes messages to the silo one frame at a time.</summary>
internal sealed class RunnerChannel(Stream output)
{
    private readonly SemaphoreSlim _write = new(1, 1);

    public async Task SendAsync(RunnerMessage message)
    {
        var frame = message.ToFrame();
        await _write.WaitAsync().ConfigureAwait(false);
        try
        {
            await RunnerFrames.WriteAsync(output, frame, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }
}
