using ViaSocket.Server;

var app = await ViaSocketApplication.BuildAsync(args);
await app.RunAsync();
