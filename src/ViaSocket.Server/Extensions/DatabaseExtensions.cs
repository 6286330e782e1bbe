using System.ComponentModel.DataAnnotations;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Embedded;

namespace ViaSocket.Server.Extensions;

/// <summary>The PostgreSQL the process uses, with the password moved out of the connection string.</summary>
/// <param name="ConnectionString">Safe to hand to the Orleans ADO.NET providers, which log it at start.</param>
/// <param name="Embedded">The embedded PostgreSQL this process started, if any.</param>
public sealed record Database(string ConnectionString, EmbeddedPostgres? Embedded);

internal static class DatabaseExtensions
{
    /// <summary>
    /// Resolves the database before anything else starts: the configured connection string, or an embedded local
    /// PostgreSQL started here (and stopped with the host). Applies the schema migrations when this process is a silo.
    /// </summary>
    public static async Task<Database> AddDatabaseAsync(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServerOptions>()
            .Bind(builder.Configuration.GetSection(ServerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = ServerOptions.From(builder.Configuration);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("ViaSocket.Database");
        var data = DataDirectory.From(builder.Configuration).Create();
        data.AdoptEarlierRootState(builder.Configuration, logger);

        string connectionString;
        EmbeddedPostgres? embeddedPostgres = null;
        if (string.IsNullOrWhiteSpace(options.Database.ConnectionString))
        {
            var embedded = await EmbeddedPostgres.StartAsync(
                options.Database.EmbeddedDataDirectory is { Length: > 0 } dataDirectory
                    ? new EmbeddedPostgresOptions { DataDirectory = dataDirectory }
                    : new EmbeddedPostgresOptions { DataDirectory = data.Postgres },
                logger,
                CancellationToken.None);
            // The host disposes singletons it owns on shutdown, which stops PostgreSQL after the silo has stopped.
            builder.Services.AddSingleton(embedded);
            (connectionString, embeddedPostgres) = (embedded.ConnectionString, embedded);
        }
        else
        {
            connectionString = PostgresConnectionStrings.WithoutPassword(options.Database.ConnectionString, data.Path);
        }

        connectionString = PostgresConnectionStrings.WithAutoPrepare(connectionString);
        if (options.Role == ServerRoles.Silo)
        {
            await SchemaMigrator.ApplyAsync(connectionString, logger, CancellationToken.None);
        }

        var database = new Database(connectionString, embeddedPostgres);
        builder.Services.AddSingleton(database);
        return database;
    }
}
