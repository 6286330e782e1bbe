using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ViaSocket.Persistence.DataProtection;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Persistence.Tests.DataProtection;

public sealed class PostgresXmlRepositoryTests
{
    private readonly PostgresFixture postgres = new();

    [Fact]
    public async Task Elements_stored_by_one_instance_are_listed_by_another_in_the_order_they_were_stored()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var writer = new PostgresXmlRepository(dataSource, "service-a");
        var first = new XElement("key", new XAttribute("id", "1"), new XElement("secret", "one"));
        var second = new XElement("revocation", new XAttribute("id", "2"));

        writer.StoreElement(first, "key-1");
        writer.StoreElement(second, "revocation-2");
        var listed = new PostgresXmlRepository(dataSource, "service-a").GetAllElements();

        Assert.Equal([first.ToString(), second.ToString()], listed.Select(element => element.ToString()));
    }

    [Fact]
    public async Task Another_service_in_the_same_database_has_its_own_key_ring()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        new PostgresXmlRepository(dataSource, "service-a").StoreElement(new XElement("key"), "key-1");

        var listed = new PostgresXmlRepository(dataSource, "service-b").GetAllElements();

        Assert.Empty(listed);
    }

    [Fact]
    public async Task A_payload_protected_by_one_process_is_unprotected_by_another_sharing_the_database()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var first = DataProtectionServices(dataSource);
        using var second = DataProtectionServices(dataSource);

        var payload = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
        var unprotected = second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload);

        Assert.Equal("hello", unprotected);
        Assert.Single(new PostgresXmlRepository(dataSource, "service-a").GetAllElements(), element => element.Name.LocalName == "key");
    }

    /// <summary>A process's Data Protection with the key ring in PostgreSQL (its own in-memory key cache).</summary>
    private static ServiceProvider DataProtectionServices(NpgsqlDataSource dataSource)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("viasocket-test");
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new PostgresXmlRepository(dataSource, "service-a"));
        return services.BuildServiceProvider();
    }
}
