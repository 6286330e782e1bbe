using System.Runtime.InteropServices;
using ViaSocket.Chaos;
using ViaSocket.LoadTests;

// Modes: chaos | outage, each with --short; see RunSettings for the counts and durations and their flags.
var mode = args.Length > 0 ? args[0] : string.Empty;
if (mode is not (RunSettings.ChaosMode or RunSettings.OutageMode))
{
    Console.Error.WriteLine("usage: ViaSocket.Chaos chaos|outage [--short] [--connections N] [--readers N] [--duration s] [--kill-every s] [--restart-after s] [--outage-phase s] [--settle s] [--final-check s] [--seed N] [--pool-size N] [--refresh-concurrency N] [--results-dir DIR]");
    return 2;
}

var options = new CommandArguments(args.Skip(1));
var settings = RunSettings.From(mode, options);
var commandLine = "dotnet run -c Release --project bench/ViaSocket.Chaos -- " + string.Join(' ', args);
var resultsDirectory = ResultsDirectory.Find(options);
// The default results folder is bench/results of the repository around the current directory.
var repository = Path.GetFullPath(Path.Combine(ResultsDirectory.Find(new CommandArguments([])), "..", ".."));

// Bounded: whatever happens, the run ends (and stops its cluster) within the planned time plus a margin. Creating the
// connections comes first and its time depends on the machine: allow it at least 4 connections a second.
var planned = settings.Warmup + settings.Duration + settings.OutageLength + settings.Settle;
var creation = TimeSpan.FromSeconds(settings.Connections / 4.0);
using var cancel = new CancellationTokenSource(planned + creation + TimeSpan.FromMinutes(20));
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine("Stopping: cleaning up the cluster...");
    cancel.Cancel();
}

using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

try
{
    var before = MachineDescription.Read();
    var outcome = await Harness.RunAsync(settings, repository, cancel.Token);
    var path = RunReport.Write(resultsDirectory, commandLine, before, MachineDescription.Read(), outcome);
    Console.Out.WriteLine($"Wrote {path}");
    return 0;
}
catch (Exception exception)
{
    // Exiting normally (not by an unhandled exception) lets the throwaway PostgreSQL stop and delete its folder.
    Console.Error.WriteLine(exception);
    return 1;
}
