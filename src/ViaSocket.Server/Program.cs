using ViaSocket.Server;
using ViaSocket.Server.Storage;
using ViaSocket.Server.Transport;

if (args is [RewrapKeysCommand.Name, ..])
{
    return await RewrapKeysCommand.RunAsync(args[1..]);
}

if (args is [ClusterCertsCommand.Name, ..])
{
    return ClusterCertsCommand.Run(args[1..], Console.Out, Console.Error, TimeProvider.System);
}

var app = await ViaSocketApplication.BuildAsync(args);
await app.RunAsync();
return 0;
