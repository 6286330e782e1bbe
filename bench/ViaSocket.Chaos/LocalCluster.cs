using System.Diagnostics;
using System.Globalization;

namespace ViaSocket.Chaos;

/// <summary>One process of the cluster as <c>scripts/cluster.sh</c> recorded it in <c>processes.tsv</c>.</summary>
internal sealed record ClusterMember(string Name, string Role, int HttpPort)
{
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The silo number that <c>cluster.sh start-silo</c> takes, e.g. 2 for <c>silo-2</c>.</summary>
    public int SiloNumber => int.Parse(Name["silo-".Length..], CultureInfo.InvariantCulture);
}

/// <summary>
/// Drives <c>scripts/cluster.sh</c>: K silos and a front-end as separate processes of the built service. The script
/// owns starting, killing and stopping. A watchdog of the script stops the cluster if this
/// process dies without cleaning up.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    private readonly string script;
    private readonly IReadOnlyDictionary<string, string> environment;
    private int stopped;

    private LocalCluster(string script, string runDirectory, IReadOnlyDictionary<string, string> environment, IReadOnlyList<ClusterMember> members)
    {
        this.script = script;
        RunDirectory = runDirectory;
        this.environment = environment;
        Members = members;
    }

    public string RunDirectory { get; }

    public IReadOnlyList<ClusterMember> Members { get; }

    public ClusterMember FrontEnd => Members.Single(m => m.Role == "frontend");

    public IReadOnlyList<ClusterMember> Silos => [.. Members.Where(m => m.Role == "silo")];

    /// <param name="environment">Settings for every process (connection string, API key, limits); passed to the script, never on a command line.</param>
    public static async Task<LocalCluster> StartAsync(string repository, int silos, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var script = Path.Combine(repository, "scripts", "cluster.sh");
        var runDirectory = Path.Combine(Path.GetTempPath(), $"viasocket-chaos-{Environment.ProcessId}");
        try
        {
            await RunScriptAsync(script, environment, cancellationToken, "start", Text(silos), "--run-dir", runDirectory, "--owner-pid", Text(Environment.ProcessId));
        }
        catch
        {
            await RunScriptAsync(script, environment, CancellationToken.None, "stop", "--run-dir", runDirectory);
            throw;
        }

        var members = File.ReadLines(Path.Combine(runDirectory, "processes.tsv"))
            .Select(line => line.Split('\t'))
            .Select(f => new ClusterMember(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        return new LocalCluster(script, runDirectory, environment, members);
    }

    /// <summary>
    /// SIGKILL at <paramref name="at"/>, as a crashed machine: no graceful shutdown, no goodbye to the membership table.
    /// <c>cluster.sh kill-silo</c> waits for the moment and kills; returns when it did, with the time it did.
    /// </summary>
    public async Task<DateTimeOffset> KillAsync(ClusterMember silo, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var output = await RunScriptAsync(
            script, environment, cancellationToken, "kill-silo", Text(silo.SiloNumber), "--at", at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), "--run-dir", RunDirectory);

        // "killed silo-N (pid P) at <Unix milliseconds>"
        var killedAt = long.Parse(output.Trim().Split(' ')[^1], CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeMilliseconds(killedAt);
    }

    /// <summary>Starts a killed silo again on its ports and waits until it is ready.</summary>
    public Task RestartAsync(ClusterMember silo, CancellationToken cancellationToken) =>
        RunScriptAsync(script, environment, cancellationToken, "start-silo", Text(silo.SiloNumber), "--run-dir", RunDirectory);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            await RunScriptAsync(script, environment, CancellationToken.None, "stop", "--run-dir", RunDirectory);

            // The logs stay for a look after the run; the copy of the service is only disk space.
            Directory.Delete(Path.Combine(RunDirectory, "app"), recursive: true);
        }
    }

    /// <summary>Runs the script to its end, echoes its output and returns it.</summary>
    private static async Task<string> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cluster.sh did not start.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var text = await output;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Console.Out.WriteLine($"  {line}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {arguments[0]} failed (exit {process.ExitCode}): {(await errors).Trim()}");
        }

        return text;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
