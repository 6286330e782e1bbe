using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace ViaSocket.Persistence.DataProtection;

/// <summary>
/// Stores the ASP.NET Core Data Protection key ring in PostgreSQL (<c>viasocket_data_protection_keys</c>), so every
/// front-end of the service reads and writes the same keys. Rows are partitioned by service id, like the Orleans tables,
/// so services sharing a database keep separate rings. Encrypting the key material is the key manager's job (its
/// <c>XmlEncryptor</c>); this class stores whatever element it is given.
/// </summary>
/// <remarks>
/// <see cref="IXmlRepository"/> is synchronous; Data Protection calls it rarely (start, key creation, a daily refresh),
/// never on the request path of a protect or unprotect.
/// </remarks>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource, string serviceId) : IXmlRepository
{
    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly string serviceId = string.IsNullOrEmpty(serviceId) ? throw new ArgumentException("A service id is required.", nameof(serviceId)) : serviceId;

    /// <summary>Every element stored for this service, oldest first.</summary>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("SELECT xml FROM viasocket_data_protection_keys WHERE service_id = @service ORDER BY id");
        command.Parameters.AddWithValue("service", serviceId);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var command = dataSource.CreateCommand(
            "INSERT INTO viasocket_data_protection_keys (service_id, friendly_name, xml) VALUES (@service, @name, @xml)");
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("name", string.IsNullOrEmpty(friendlyName) ? DBNull.Value : friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
