using System.Diagnostics;
using System.Threading.Channels;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>dotnet &lt;this assembly&gt; &lt;mode&gt; ...</c> as a child process. Stdout lines are queued for the caller; stderr
/// is drained into a short tail shown when the child fails (the service logs warnings and errors only, no secrets).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int StderrTailLines = 40;

    private readonly Process process;
    private readonly Channel<string> stdout = Channel.CreateUnbounded<string>();
    private readonly Queue<string> stderrTail = new();

    private ChildProcess(Process process) => this.process = process;

    public int Id => process.Id;

    /// <param name="echo">Also print the child's other stdout lines (its progress) on this process's stdout.</param>
    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool echo = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child.stdout.Writer.TryComplete();
            }
            else
            {
                if (echo && !e.Data.StartsWith(Protocol.ResultPrefix, StringComparison.Ordinal) && !e.Data.StartsWith(Protocol.ReadyPrefix, StringComparison.Ordinal))
                {
                    Console.Out.WriteLine(e.Data);
                }

                child.stdout.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (child.stderrTail)
            {
                child.stderrTail.Enqueue(e.Data);
                if (child.stderrTail.Count > StderrTailLines)
                {
                    child.stderrTail.Dequeue();
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next stdout line starting with <paramref name="prefix"/>; other lines are skipped.</summary>
    public async Task<string> ReadLineAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in stdout.Reader.ReadAllAsync(cancel.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw Failure($"no '{prefix.Trim()}' line within {timeout.TotalSeconds:0} s");
        }

        throw Failure($"exited (code {ExitCodeOrNone()}) before printing '{prefix.Trim()}'");
    }

    /// <summary>All remaining stdout lines starting with <paramref name="prefix"/>, until the child exits.</summary>
    public async Task<IReadOnlyList<string>> ReadLinesToEndAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var lines = new List<string>();
        try
        {
            await foreach (var line in stdout.Reader.ReadAllAsync(cancel.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    lines.Add(line);
                }
            }

            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure($"did not finish within {timeout.TotalSeconds:0} s");
        }

        return process.ExitCode == 0 ? lines : throw Failure($"exited with code {process.ExitCode}");
    }

    /// <summary>Closes the child's stdin (the stop signal of <c>serve</c>) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }

        process.Dispose();
    }

    private InvalidOperationException Failure(string what)
    {
        string tail;
        lock (stderrTail)
        {
            tail = string.Join(Environment.NewLine, stderrTail);
        }

        return new InvalidOperationException($"Child '{string.Join(' ', process.StartInfo.ArgumentList.Skip(1).Take(1))}' {what}. Last stderr lines:{Environment.NewLine}{tail}");
    }

    private string ExitCodeOrNone() => process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
}
