using Microsoft.Extensions.DependencyInjection;
using ViaSocket.SampleEngine;

// Usage: ViaSocket.SampleEngine <postgres-connection-string> <workspace-id> <connection-id>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ViaSocket.SampleEngine <postgres-connection-string> <workspace-id> <connection-id>");
    return 2;
}

using var host = EngineClient.CreateHost(args[0]);
await host.StartAsync();
var result = await EngineClient.GetCredentialsAsync(host.Services.GetRequiredService<IClusterClient>(), args[1], args[2]);
if (!result.Succeeded)
{
    Console.Error.WriteLine($"{result.Error!.Code}: {result.Error.Message}");
    return 1;
}

// A real engine appends these to its request; the sample prints only names, never the secret values.
var credentials = result.Credentials!;
Console.WriteLine($"status {credentials.Status}, expires {credentials.ExpiresAt:O}");
Console.WriteLine($"headers: {string.Join(", ", credentials.Headers.Keys)}; query: {string.Join(", ", credentials.Query.Keys)}");
await host.StopAsync();
return 0;
