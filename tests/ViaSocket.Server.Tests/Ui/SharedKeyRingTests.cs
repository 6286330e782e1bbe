using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Server.Ui;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Server.Tests.Ui;

/// <summary>
/// The Data Protection key ring behind UI sessions lives in PostgreSQL, encrypted with the master keys by the silos: a
/// session started on one front-end is valid on every other one of the service, including front-ends without master keys.
/// </summary>
public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task A_session_cookie_issued_by_a_silo_is_accepted_by_a_front_end_that_holds_no_master_keys()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var apiKey = ApiKey.Generate();
        await using var silo = await ViaSocketTestHost.StartAsync(connectionString, apiKey);
        await using var frontEnd = await ViaSocketTestHost.StartAsync(connectionString, apiKey, builder =>
        {
            FrontEndRole(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Encryption:KeyDirectory"] = "" });
        });
        var cookie = await SignInAsync(silo, apiKey);

        using var apiCall = await GetWithSessionAsync(frontEnd, "/v1/connections", cookie);
        using var page = await GetWithSessionAsync(frontEnd, UiEndpoints.ConnectionsPath, cookie);

        Assert.Equal(HttpStatusCode.OK, apiCall.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task The_key_ring_is_stored_in_postgresql_encrypted_with_the_master_keys()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var apiKey = ApiKey.Generate();
        await using var silo = await ViaSocketTestHost.StartAsync(connectionString, apiKey);
        await SignInAsync(silo, apiKey);

        var keys = await StoredKeysAsync(connectionString);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<masterKeyEncrypted ", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey ", xml, StringComparison.Ordinal);
        });
    }

    private static void FrontEndRole(WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Role"] = "frontend" });

    /// <summary>Signs in on <paramref name="host"/>; returns the session cookie's <c>name=value</c>.</summary>
    private static async Task<string> SignInAsync(ViaSocketTestHost host, ApiKey apiKey)
    {
        using var browser = Browser(host);
        using var request = new HttpRequestMessage(HttpMethod.Post, UiEndpoints.LoginPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = apiKey.Reveal(), ["next"] = "" }),
        };
        request.Headers.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(UiSessionCookie.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
    }

    private static async Task<HttpResponseMessage> GetWithSessionAsync(ViaSocketTestHost host, string path, string cookie)
    {
        using var browser = Browser(host);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add(UiSessionCookie.RequestHeader, "1");
        return await browser.SendAsync(request);
    }

    private static HttpClient Browser(ViaSocketTestHost host) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress };

    private static async Task<List<string>> StoredKeysAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT xml FROM viasocket_data_protection_keys ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
