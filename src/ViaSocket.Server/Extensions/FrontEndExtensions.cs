using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using ViaSocket.Blocks.Http;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Proxy;
using ViaSocket.Server.Security;

namespace ViaSocket.Server.Extensions;

internal static class FrontEndExtensions
{
    /// <summary>
    /// The HTTP front-end: JSON conventions, API-key authentication, the bootstrap key, the return-URL policy, the
    /// connection directory, and the guarded outbound client the proxy (and, on silos, the blocks) send through.
    /// </summary>
    public static void AddFrontEnd(this WebApplicationBuilder builder, Database database)
    {
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)));
        builder.Services.AddSingleton<RenderedCredentials>();
        builder.Services.AddApiKeyAuthentication();

        var generatedKeyFile = database.Embedded is not null ? DataDirectory.From(builder.Configuration).BootstrapKeyFile : null;
        builder.Services.AddOptions<BootstrapOptions>()
            .Bind(builder.Configuration.GetSection($"{ServerOptions.SectionName}:Bootstrap"))
            .PostConfigure(o => o.GeneratedKeyFile ??= generatedKeyFile);
        builder.Services.AddHostedService<ApiKeyBootstrapper>();
        builder.Services.AddSingleton<ReturnUrlPolicy>();

        builder.Services.AddSingleton(NpgsqlDataSource.Create(database.ConnectionString));
        builder.Services.AddSingleton<ConnectionDirectory>();
        builder.Services.AddGuardedOutboundHttp();
        builder.Services.AddOptions<OutboundHttpOptions>().Bind(builder.Configuration.GetSection($"{ServerOptions.SectionName}:Outbound"));
        builder.Services.AddSingleton<ConnectionProxy>();
    }
}
