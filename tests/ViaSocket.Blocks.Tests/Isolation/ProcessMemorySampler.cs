using System.Diagnostics;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>Samples this process's working set and private memory every 10 ms on a thread of its own, keeping the peaks.</summary>
internal sealed class ProcessMemorySampler : IDisposable
{
    private readonly Process _self = Process.GetCurrentProcess();
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ProcessMemorySampler()
    {
        (BaselineWorkingSet, BaselinePrivate) = Read();
        (PeakWorkingSet, PeakPrivate) = (BaselineWorkingSet, BaselinePrivate);
        _thread = new Thread(Sample) { IsBackground = true, Name = "memory sampler" };
        _thread.Start();
    }

    public long BaselineWorkingSet { get; }

    public long BaselinePrivate { get; }

    public long PeakWorkingSet { get; private set; }

    public long PeakPrivate { get; private set; }

    /// <summary>Stops sampling; the peaks are final afterwards.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    private void Sample()
    {
        while (!_stopping)
        {
            var (workingSet, privateBytes) = Read();
            PeakWorkingSet = Math.Max(PeakWorkingSet, workingSet);
            PeakPrivate = Math.Max(PeakPrivate, privateBytes);
            Thread.Sleep(10);
        }
    }

    private (long WorkingSet, long Private) Read()
    {
        _self.Refresh();
        return (_self.WorkingSet64, _self.PrivateMemorySize64);
    }

    public void Dispose()
    {
        if (!_stopping)
        {
            Stop();
        }

        _self.Dispose();
    }
}
