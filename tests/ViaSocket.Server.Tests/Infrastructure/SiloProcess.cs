using System.Diagnostics;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>
/// The service as a separate OS process (the built <c>ViaSocket.Server.dll</c>), so a test can kill it with SIGKILL
/// the way a crashed machine would disappear.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output;

    private SiloProcess(Process process, System.Collections.Concurrent.ConcurrentQueue<string> output, Uri baseAddress, int siloPort, int gatewayPort)
    {
        this.process = process;
        this.output = output;
        BaseAddress = baseAddress;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public Uri BaseAddress { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>What the process wrote to stdout and stderr so far, line by line (its console log).</summary>
    public IReadOnlyList<string> Output => [.. output];

    /// <param name="environment">Further settings of the process (e.g. <c>ViaSocket__Cluster__Tls__CertificatePath</c>).</param>
    public static Task<SiloProcess> StartAsync(string connectionString, ApiKey apiKey, string keyDirectory, Uri publicBaseUrl, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ViaSocket__Database__ConnectionString"] = connectionString,
            ["ViaSocket__Bootstrap__ApiKey"] = apiKey.Reveal(),
            ["ViaSocket__Encryption__KeyDirectory"] = keyDirectory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }

        return StartAsync(publicBaseUrl, settings);
    }

    /// <summary>
    /// A node as <c>run.sh</c> starts it: no connection string, key or key folder configured, so it runs its embedded
    /// PostgreSQL and generates its master key and bootstrap key, all in <paramref name="dataDirectory"/>.
    /// </summary>
    public static Task<SiloProcess> StartWithDataDirectoryAsync(string dataDirectory, Uri publicBaseUrl) =>
        StartAsync(publicBaseUrl, new Dictionary<string, string>
        {
            ["ViaSocket__Database__ConnectionString"] = "",
            ["ViaSocket__DataDirectory"] = dataDirectory,
        });

    private static async Task<SiloProcess> StartAsync(Uri publicBaseUrl, IReadOnlyDictionary<string, string> settings)
    {
        // The ports are free when picked but not held: a process of a test class running alongside can take one first,
        // and this one then exits at start-up. Such a start is tried again once, on fresh ports.
        return await TryStartAsync(publicBaseUrl, settings)
            ?? await TryStartAsync(publicBaseUrl, settings)
            ?? throw new InvalidOperationException("The silo process exited at start-up twice.");
    }

    /// <returns>Null when the process exited before it was ready.</returns>
    private static async Task<SiloProcess?> TryStartAsync(Uri publicBaseUrl, IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = ViaSocketTestHost.FreePort();
        var siloPort = ViaSocketTestHost.FreePort();
        var gatewayPort = ViaSocketTestHost.FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "ViaSocket.Server.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Urls"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["ViaSocket__PublicBaseUrl"] = publicBaseUrl.ToString().TrimEnd('/');
        start.Environment["ViaSocket__Cluster__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ViaSocket__Cluster__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ViaSocket__Outbound__AllowLoopback"] = "true";

        // Detecting a killed peer takes about 6 s on an idle machine. With both silos, PostgreSQL and the other test
        // classes sharing CI's two cores, Orleans lengthens the probe time-outs of a silo that finds itself slow, and
        // detection has taken longer than the 10-s default; the failover tests are about what happens once it is done.
        start.Environment["ViaSocket__Cluster__GrainCallRetryBudget"] = "00:00:30";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo process did not start.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var ready = await probe.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return new SiloProcess(process, output, baseAddress, siloPort, gatewayPort);
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        if (process.HasExited)
        {
            process.Dispose();
            return null;
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The silo process did not become ready within 60 s.");
    }

    // Bounded: a long test must not hold every line a chatty silo ever wrote.
    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 2000 && output.TryDequeue(out _))
        {
        }
    }

    /// <summary>SIGKILL: no graceful shutdown, no membership goodbye; the cluster has to notice.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as an orchestrator stopping a pod, and waits up to <paramref name="limit"/> for the process to exit.</summary>
    public async Task<bool> TerminateAsync(TimeSpan limit)
    {
        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }
}
