using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using ViaSocket.Grains.Storage;
using ViaSocket.Persistence;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Storage;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Security;

/// <summary>No secret reaches PostgreSQL or the logs in plaintext; encrypted rows are bound to their record; keys rotate.</summary>
public sealed class SecretsAtRestTests
{
    [Fact]
    public async Task After_a_full_flow_refresh_proxy_and_failing_block_no_secret_is_in_any_table_or_log()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        await using var host = await ViaSocketTestHost.StartAsync(connectionString);
        provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
        var flow = new ConnectFlow(host, provider);
        await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
        var connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
        await flow.PublishAsync("crm", "v2", ProviderDefinitions.JavaScript(provider));
        await flow.ConnectAsync("crm", "v2", ownerId: "second");
        using (var refresh = await flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        using (var proxy = await flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new { method = "GET", url = new Uri(provider.ResourceUrl, "me").ToString() }))
        {
            Assert.Equal(HttpStatusCode.OK, proxy.StatusCode);
        }

        using (var failingRun = await flow.Api.PostAsJsonAsync("/v1/plugins/crm/auth-versions/v1/test-runs", new
        {
            block = "testMe",
            authData = new { accesstokencode = new { access_token = provider.IssuedSecrets.First() } },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, failingRun.StatusCode);
        }

        var secrets = provider.IssuedSecrets.Append(ProviderDefinitions.ClientSecret).Append(host.ApiKey.Secret).ToList();
        Assert.True(secrets.Count >= 7, "the flow issued codes, access tokens and refresh tokens");
        var database = await DumpAllTablesAsync(connectionString);
        var logs = host.Logs.AllText;
        Assert.Contains("orleans_storage", database, StringComparison.Ordinal);
        Assert.Contains(connectionId, database, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, database, StringComparison.Ordinal));
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, logs, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_state_row_copied_onto_another_connection_fails_to_decrypt_with_a_clear_error()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        var (victim, attacker) = await ConnectVictimAndAttackerAsync(connectionString, apiKey, keys, provider);

        await ExecuteAsync(connectionString, """
            UPDATE orleans_storage SET payload = (SELECT payload FROM orleans_storage WHERE state_name = 'connection' AND grain_id_extension LIKE @victim)
            WHERE state_name = 'connection' AND grain_id_extension LIKE @attacker
            """, ("victim", $"%{victim}"), ("attacker", $"%{attacker}"));

        await AssertOnlyTheAttackerIsUnreadableAsync(connectionString, apiKey, keys, victim, attacker);
    }

    [Fact]
    public async Task A_new_master_key_rewrap_and_removal_of_the_old_key_keeps_everything_readable()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId;
        string tokenBefore;
        await using (var host = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
            var flow = new ConnectFlow(host, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
            tokenBefore = (string)(await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials"))["headers"]!["Authorization"]!;
        }

        var oldKeyFiles = Directory.GetFiles(keys, "*.key");
        await File.WriteAllTextAsync(Path.Combine(keys, "rotated-2026.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        await File.WriteAllTextAsync(Path.Combine(keys, "active"), "rotated-2026");
        var protector = new Domain.Security.SecretProtector(Domain.Security.MasterKeyRing.LoadFromDirectory(keys));
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var (read, rewritten) = await RewrapKeysCommand.RewrapAsync(dataSource, "viasocket-orleans", protector, CancellationToken.None);
            Assert.True(read >= 4, $"read {read}");
            Assert.Equal(read, rewritten);
            var again = await RewrapKeysCommand.RewrapAsync(dataSource, "viasocket-orleans", protector, CancellationToken.None);
            Assert.Equal(0, again.Rewritten);
        }

        foreach (var file in oldKeyFiles)
        {
            File.Delete(file);
        }

        await using var restarted = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        var restartedFlow = new ConnectFlow(restarted, provider);
        var credentials = await restartedFlow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        Assert.Equal(tokenBefore, (string?)credentials["headers"]!["Authorization"]);
        var version = await restartedFlow.GetJsonAsync("/v1/plugins/crm/auth-versions/v1");
        Assert.True((bool)version["clientSecretSet"]!);
    }

    [Fact]
    public async Task An_older_ciphertext_copied_back_into_its_row_is_refused_instead_of_bringing_back_old_tokens()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId;
        byte[] olderPayload;
        await using (var host = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
            var flow = new ConnectFlow(host, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
            olderPayload = (await ReadRowAsync(connectionString, connectionId)).Payload;
            using var refresh = await flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        var newer = await ReadRowAsync(connectionString, connectionId);
        Assert.NotEqual(olderPayload, newer.Payload);
        await ExecuteAsync(connectionString, "UPDATE orleans_storage SET payload = @payload WHERE state_name = 'connection' AND grain_id_extension LIKE @id",
            ("payload", olderPayload), ("id", $"%{connectionId}"));

        await using var restarted = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        using var api = restarted.CreateClient();
        using var response = await api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(StorageExceptionHandler.Undecryptable, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("RolledBack", restarted.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_row_with_that_rows_context_and_version_is_refused()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        var (victim, attacker) = await ConnectVictimAndAttackerAsync(connectionString, apiKey, keys, provider);

        var victimRow = new EncryptedState(Encoding.UTF8.GetString((await ReadRowAsync(connectionString, victim)).Payload)).Parse();
        var attackerRow = await ReadRowAsync(connectionString, attacker);
        var attackerContext = new EncryptedState(Encoding.UTF8.GetString(attackerRow.Payload)).Parse().Context;
        var moved = EncryptedState.Create(attackerContext, attackerRow.Version, victimRow.ProtectedValue).Value;
        await ExecuteAsync(connectionString, "UPDATE orleans_storage SET payload = @payload WHERE state_name = 'connection' AND grain_id_extension LIKE @id",
            ("payload", Encoding.UTF8.GetBytes(moved)), ("id", $"%{attacker}"));

        await AssertOnlyTheAttackerIsUnreadableAsync(connectionString, apiKey, keys, victim, attacker);
    }

    [Fact]
    public async Task Rows_written_before_versions_were_bound_still_load_and_rewrap_keys_upgrades_them()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        string connectionId, tokenBefore;
        await using (var host = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
            var flow = new ConnectFlow(host, provider);
            await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
            connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];
            tokenBefore = (string)(await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials"))["headers"]!["Authorization"]!;
        }

        // The layout of the previous release: "<context>\n<protected value>", encrypted for the context alone.
        var protector = new Domain.Security.SecretProtector(Domain.Security.MasterKeyRing.LoadFromDirectory(keys));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var (read, downgraded) = await GrainStateRewriter.RewriteAsync(dataSource, "viasocket-orleans", (payload, _) =>
        {
            var row = new EncryptedState(payload).Parse();
            return row.Context + "\n" + protector.Protect(protector.Unprotect(row.ProtectedValue, row.AssociatedData), row.Context);
        }, CancellationToken.None);
        Assert.Equal(read, downgraded);

        await using (var legacy = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys))
        {
            var legacyFlow = new ConnectFlow(legacy, provider);
            Assert.Equal(tokenBefore, (string?)(await legacyFlow.GetJsonAsync($"/v1/connections/{connectionId}/credentials"))["headers"]!["Authorization"]);
        }

        var (_, upgraded) = await RewrapKeysCommand.RewrapAsync(dataSource, "viasocket-orleans", protector, CancellationToken.None);
        Assert.True(upgraded >= read, $"upgraded {upgraded} of {read}");
        Assert.All(await ReadAllPayloadsAsync(connectionString), payload => Assert.NotNull(new EncryptedState(payload).Parse().Version));

        await using var restarted = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        var restartedFlow = new ConnectFlow(restarted, provider);
        Assert.Equal(tokenBefore, (string?)(await restartedFlow.GetJsonAsync($"/v1/connections/{connectionId}/credentials"))["headers"]!["Authorization"]);
        Assert.True((bool)(await restartedFlow.GetJsonAsync("/v1/plugins/crm/auth-versions/v1"))["clientSecretSet"]!);
    }

    private static async Task<(byte[] Payload, long Version)> ReadRowAsync(string connectionString, string connectionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT payload, version FROM orleans_storage WHERE state_name = 'connection' AND grain_id_extension LIKE @id", connection);
        select.Parameters.AddWithValue("id", $"%{connectionId}");
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetFieldValue<byte[]>(0), reader.GetInt32(1));
    }

    private static async Task<List<string>> ReadAllPayloadsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT payload FROM orleans_storage WHERE payload IS NOT NULL", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var payloads = new List<string>();
        while (await reader.ReadAsync())
        {
            payloads.Add(Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0)));
        }

        return payloads;
    }

    internal static async Task<string> DumpAllTablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            dump.Append("== ").AppendLine(table);
            await using var select = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value.ToString()).Append(" | ");
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    private static async Task ExecuteAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>Connects two owners of one version, "victim" and "attacker", then stops the service.</summary>
    private static async Task<(string Victim, string Attacker)> ConnectVictimAndAttackerAsync(
        string connectionString, Server.Security.ApiKey apiKey, string keys, TestAuthorizationServer provider)
    {
        await using var host = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
        var flow = new ConnectFlow(host, provider);
        await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
        var victim = (await flow.ConnectAsync("crm", "v1", ownerId: "victim"))["connectionId"];
        var attacker = (await flow.ConnectAsync("crm", "v1", ownerId: "attacker"))["connectionId"];
        return (victim, attacker);
    }

    /// <summary>After a restart, the tampered row answers storage.undecryptable and the victim's still reads.</summary>
    private static async Task AssertOnlyTheAttackerIsUnreadableAsync(
        string connectionString, Server.Security.ApiKey apiKey, string keys, string victim, string attacker)
    {
        await using var restarted = await ViaSocketTestHost.StartAsync(connectionString, apiKey, keyDirectory: keys);
        using var api = restarted.CreateClient();
        using var response = await api.GetAsync($"/v1/connections/{attacker}/credentials");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(StorageExceptionHandler.Undecryptable, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var untouched = await api.GetAsync($"/v1/connections/{victim}/credentials");
        Assert.Equal(HttpStatusCode.OK, untouched.StatusCode);
    }
}
