using System.Diagnostics;
using System.Globalization;

namespace ViaSocket.Persistence.Embedded;

/// <summary>The server's main process as named by the first line of <c>postmaster.pid</c>.</summary>
internal sealed record PostmasterProcess(int Pid)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static PostmasterProcess? FromPidFile(string clusterDirectory)
    {
        var pidFile = Path.Combine(clusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? new PostmasterProcess(pid) : null;
    }

    /// <summary>
    /// Whether the process still runs. A zombie counts as gone: it has exited and only waits for a parent that is
    /// not us (pg_ctl detaches the server) to collect its status.
    /// </summary>
    public bool IsAlive()
    {
        var stat = $"/proc/{Pid}/stat";
        if (Directory.Exists("/proc/self"))
        {
            try
            {
                var content = File.ReadAllText(stat);
                // "pid (command) S ..." - the state letter follows the last ')' since the command may contain one.
                var state = content[(content.LastIndexOf(')') + 2)..][0];
                return state is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(Pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Removes a <c>postmaster.pid</c> left by a killed server whose processes are all gone. The server itself refuses
    /// to start while that pid still exists, even as a zombie nobody collects (as under an init that does not reap).
    /// Every server process works inside the cluster folder, so no live process there means no server left.
    /// </summary>
    public static async Task RemoveStalePidFileAsync(string clusterDirectory, TimeSpan wait, CancellationToken ct)
    {
        var postmaster = FromPidFile(clusterDirectory);
        if (postmaster is null || postmaster.IsAlive() || !Directory.Exists("/proc/self"))
        {
            return;
        }

        // Backends notice the postmaster's death and exit on their own within moments.
        var deadline = Stopwatch.StartNew();
        while (AnyLiveProcessWorkingIn(clusterDirectory))
        {
            if (deadline.Elapsed > wait)
            {
                return;
            }

            await Task.Delay(PollInterval, ct);
        }

        File.Delete(Path.Combine(clusterDirectory, "postmaster.pid"));
    }

    private static bool AnyLiveProcessWorkingIn(string directory)
    {
        var target = Path.GetFullPath(directory).TrimEnd('/');
        foreach (var processDirectory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(processDirectory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var workingDirectory = new DirectoryInfo(Path.Combine(processDirectory, "cwd")).LinkTarget;
                if (workingDirectory is not null && workingDirectory.TrimEnd('/') == target && new PostmasterProcess(pid).IsAlive())
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended, or belongs to another user (who cannot be running our server).
            }
        }

        return false;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (IsAlive())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval, ct);
        }

        return true;
    }
}
