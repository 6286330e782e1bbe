using ViaSocket.LoadTests;

// Modes: run (default) | suite | storm | serve | load | grains | isolation | hostile | isolation-storm; see each command's summary for its options.
var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
var options = new CommandArguments(args.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal)));
var commandLine = "dotnet run -c Release --project bench/ViaSocket.LoadTests -- " + string.Join(' ', args.Length > 0 ? args : ["run"]);

try
{
    return mode switch
    {
        "run" => await RunCommand.RunAsync(options, commandLine),
        "serve" => await ServeCommand.RunAsync(options),
        "load" => await LoadCommand.RunAsync(options),
        "grains" => await GrainsCommand.RunAsync(options, commandLine),
        "storm" => await StormCommand.RunAsync(options),
        "suite" => await SuiteCommand.RunAsync(options, commandLine),
        "isolation" => await IsolationCommand.RunAsync(options, commandLine),
        "hostile" => await HostileCommand.RunAsync(options, commandLine),
        "isolation-storm" => await IsolationStormCommand.RunAsync(options, commandLine),
        _ => Usage(),
    };
}
catch (Exception exception)
{
    // Exiting normally (not by an unhandled exception) lets the embedded PostgreSQL stop and delete its folder.
    Console.Error.WriteLine(exception);
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ViaSocket.LoadTests [run|suite|storm|serve|load|grains|isolation|hostile|isolation-storm] [--name value ...]");
    return 2;
}
