using ViaSocket.Server;
using ViaSocket.Server.Storage;

if (args is [RewrapKeysCommand.Name, ..])
{
    return await RewrapKeysCommand.RunAsync(args[1..]);
}

var app = await ViaSocketApplication.BuildAsync(args);
await app.RunAsync();
return 0;
