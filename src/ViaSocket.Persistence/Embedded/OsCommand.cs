using System.Diagnostics;

namespace ViaSocket.Persistence.Embedded;

/// <summary>The outcome of one external program run.</summary>
internal sealed record OsCommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Both output streams, for error messages (the programs we run never print secrets).</summary>
    public string Output => (StandardOutput + "\n" + StandardError).Trim();
}

/// <summary>Runs PostgreSQL's programs, optionally as another OS user (PostgreSQL refuses to run as root).</summary>
internal sealed class OsCommand(string workingDirectory, string? runAsUser)
{
    public string? RunAsUser => runAsUser;

    public async Task<OsCommandResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        if (runAsUser is null)
        {
            startInfo.FileName = program;
        }
        else
        {
            startInfo.FileName = "runuser";
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add(runAsUser);
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start '{program}'.");
        process.StandardInput.Close();
        var standardOutput = process.StandardOutput.ReadToEndAsync(ct);
        var standardError = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new OsCommandResult(process.ExitCode, await standardOutput, await standardError);
    }

    /// <summary>Runs a program as the current user (for <c>id</c>, <c>install</c>, <c>chown</c>).</summary>
    public static Task<OsCommandResult> RunAsCurrentUserAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct) =>
        new OsCommand(Path.GetTempPath(), runAsUser: null).RunAsync(program, arguments, ct);
}
