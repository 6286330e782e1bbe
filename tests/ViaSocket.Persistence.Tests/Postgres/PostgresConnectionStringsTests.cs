using Npgsql;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Persistence.Tests.Postgres;

public sealed class PostgresConnectionStringsTests : IDisposable
{
    private readonly string passfileDirectory = Path.Combine(Path.GetTempPath(), "viasocket-passfile-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(passfileDirectory))
        {
            Directory.Delete(passfileDirectory, recursive: true);
        }
    }

    [Fact]
    public void The_returned_string_has_no_password_and_names_a_private_passfile_holding_it()
    {
        var result = PostgresConnectionStrings.WithoutPassword(
            "Host=db.internal;Port=5433;Username=viasocket;Password=s3cr:et\\x;Database=viasocket", passfileDirectory);

        var builder = new NpgsqlConnectionStringBuilder(result);
        Assert.DoesNotContain("s3cr", result, StringComparison.Ordinal);
        Assert.Null(builder.Password);
        Assert.NotNull(builder.Passfile);
        Assert.Equal(@"db.internal:5433:*:viasocket:s3cr\:et\\x" + "\n", File.ReadAllText(builder.Passfile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(builder.Passfile));
    }

    [Theory]
    [InlineData("Host=db;Username=u", PostgresConnectionStrings.DefaultMaxAutoPrepare)]
    [InlineData("Host=db;Username=u;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Username=u;maxautoprepare=5", 5)]
    public void Statements_are_prepared_automatically_unless_the_string_says_otherwise(string connectionString, int expected)
    {
        var result = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.WithAutoPrepare(connectionString));

        Assert.Equal(expected, result.MaxAutoPrepare);
        Assert.Equal("db", result.Host);
    }

    [Fact]
    public void Each_host_of_a_multi_host_string_gets_its_own_passfile_line()
    {
        var result = PostgresConnectionStrings.WithoutPassword(
            "Host=one:6000,two;Port=5433;Username=viasocket;Password=pw", passfileDirectory);

        var lines = File.ReadAllLines(new NpgsqlConnectionStringBuilder(result).Passfile!);
        Assert.Equal(["one:6000:*:viasocket:pw", "two:5433:*:viasocket:pw"], lines);
    }

    [Fact]
    public void A_string_without_a_password_is_returned_unchanged()
    {
        const string connectionString = "Host=localhost;Username=viasocket;Database=viasocket";

        Assert.Equal(connectionString, PostgresConnectionStrings.WithoutPassword(connectionString, passfileDirectory));
        Assert.False(Directory.Exists(passfileDirectory));
    }

    [Fact]
    public void Redacting_hides_the_passwords_and_keeps_the_rest()
    {
        var redacted = PostgresConnectionStrings.Redact("Host=db;Username=viasocket;Password=hunter2;SSL Password=client-key-pass");

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("client-key-pass", redacted, StringComparison.Ordinal);
        Assert.Contains("Host=db", redacted, StringComparison.Ordinal);
        Assert.Contains("Username=viasocket", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redacting_an_unparseable_string_does_not_echo_it()
    {
        var redacted = PostgresConnectionStrings.Redact("Password=hunter2;NoSuchKeyword=1");

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_password_free_string_still_connects()
    {
        var server = await new PostgresFixture().GetServerAsync();
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        var password = File.ReadAllText(Path.Combine(server.DataDirectory, "superuser-password")).Trim();
        builder.Passfile = null;
        builder.Password = password;

        var passwordFree = PostgresConnectionStrings.WithoutPassword(builder.ConnectionString, passfileDirectory);

        Assert.DoesNotContain(password, passwordFree, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(passwordFree);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }
}
