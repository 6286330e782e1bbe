using ViaSocket.Server.Apis;
using ViaSocket.Server.Extensions;

var builder = WebApplication.CreateBuilder(args);

var database = await builder.AddDatabaseAsync();
builder.AddOrleansForRole(database);
builder.AddServiceDefaults();
builder.AddFrontEnd(database);

var app = builder.Build();

app.UseServiceDefaults();
app.MapHealthEndpoints();
app.MapOAuthCallback();
app.MapAuthVersionsApiV1();
app.MapConnectionsApiV1();
app.MapProxyApiV1();

await app.RunAsync();

/// <summary>The entry point, visible to the functional tests' host factory.</summary>
public partial class Program;
