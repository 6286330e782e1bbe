using System.IO.Pipes;
using System.Runtime.Versioning;
using ViaSocket.BlockRunner;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>The runner's side of the channel, driven over real pipes without a process around it.</summary>
[SupportedOSPlatform("linux")]
public sealed class RunnerChannelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_run_sent_the_moment_the_previous_result_arrives_is_taken_not_treated_as_a_protocol_breach()
    {
        // The silo sends the next run as soon as it reads a result. Here the runner's write of that result is held
        // after its bytes reached the silo, so the finished run has not unwound when the next run arrives: exactly
        // the window a runner starved of CPU sits in.
        using var toRunner = new AnonymousPipeServerStream(PipeDirection.Out);
        using var runnerInput = new AnonymousPipeClientStream(PipeDirection.In, toRunner.ClientSafePipeHandle);
        using var fromRunner = new AnonymousPipeServerStream(PipeDirection.In);
        using var runnerPipeOutput = new AnonymousPipeClientStream(PipeDirection.Out, fromRunner.ClientSafePipeHandle);
        var input = new ReadWatchingStream(runnerInput);
        var output = new FlushGateStream(runnerPipeOutput);

        var service = new RunnerService(input, output);
        var serving = Task.Run(() => service.RunAsync(new RunnerIsolation(0, 0, 0, 0, false, 0, false)));
        Assert.IsType<ReadyMessage>(await ReadAsync(fromRunner));

        output.Hold();
        await WriteAsync(toRunner, Run(1));
        Assert.Equal(1, Assert.IsType<DoneMessage>(await ReadAsync(fromRunner)).Id);

        var sent = input.BytesDelivered + await WriteAsync(toRunner, Run(2));
        // Released once the runner has read all of run 2 and asks for more (it took the run), or once it has quit.
        var tookRun = input.ReadRequestedAfterAsync(sent);
        await Task.WhenAny(tookRun, serving).WaitAsync(Patience);
        output.Release();

        if (serving.IsCompleted)
        {
            Assert.Fail($"The runner quit with exit code {await serving}.");
        }

        var second = Assert.IsType<DoneMessage>(await ReadAsync(fromRunner));
        Assert.Equal(2, second.Id);
        Assert.Null(second.Failure);
        Assert.Equal("2", second.ResultJson);

        toRunner.Dispose();
        Assert.Equal(RunnerExitCodes.Closed, await serving.WaitAsync(Patience));
    }

    private static RunMessage Run(long id) => new(id, $"block-{id}", $"return {id};", "{}", new SandboxOptions(), CaptureConsole: false);

    private static async Task<int> WriteAsync(Stream stream, RunnerMessage message)
    {
        var frame = message.ToFrame();
        await RunnerFrames.WriteAsync(stream, frame, CancellationToken.None);
        return frame.Length + 4;
    }

    private static async Task<RunnerMessage> ReadAsync(Stream stream)
    {
        var frame = await RunnerFrames.ReadAsync(stream, RunnerFrames.MaxFromRunnerBytes, CancellationToken.None).WaitAsync(Patience);
        return RunnerMessage.FromFrame(frame ?? throw new InvalidOperationException("The runner closed its output."));
    }

    /// <summary>Counts the bytes the runner has read, and tells when it asks for more after a given count.</summary>
    private sealed class ReadWatchingStream(Stream inner) : Stream
    {
        private readonly Lock _gate = new();
        private readonly List<(long After, TaskCompletionSource Signal)> _watches = [];
        private long _delivered;

        public long BytesDelivered => Interlocked.Read(ref _delivered);

        public Task ReadRequestedAfterAsync(long bytes)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _watches.Add((bytes, signal));
            }

            return signal.Task;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                foreach (var watch in _watches.Where(w => _delivered >= w.After))
                {
                    watch.Signal.TrySetResult();
                }
            }

            var count = await inner.ReadAsync(buffer, cancellationToken);
            Interlocked.Add(ref _delivered, count);
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }

    /// <summary>Passes writes through at once; while held, a flush returns only when released.</summary>
    private sealed class FlushGateStream(Stream inner) : Stream
    {
        private volatile TaskCompletionSource? _held;

        public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _held?.TrySetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await inner.FlushAsync(cancellationToken);
            if (_held is { } held)
            {
                await held.Task;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
