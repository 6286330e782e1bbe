using ViaSocket.BlockRunner;
using ViaSocket.Blocks.Isolation;

// The runner speaks only over stdin/stdout (length-prefixed frames); stderr carries the runtime's own crash text.
var arguments = RunnerArguments.Parse(args);
Confinement.ApplyResourceLimits();
var idlePriority = arguments.Idle && Confinement.RunAtIdlePriority();
await RunnerService.WarmUpAsync().ConfigureAwait(false);

RunnerIsolation isolation;
try
{
    isolation = Confinement.Apply(arguments, idlePriority);
}
catch (InvalidOperationException error)
{
    await Console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
    return RunnerExitCodes.Failed;
}

if (arguments.CheckPath is not null)
{
    return await SelfCheck.RunAsync(isolation, arguments.CheckPath, arguments.CheckPort).ConfigureAwait(false);
}

using var input = Console.OpenStandardInput();
using var output = Console.OpenStandardOutput();
return await new RunnerService(input, output).RunAsync(isolation).ConfigureAwait(false);
