using System.Collections.Concurrent;

namespace ViaSocket.TestProvider;

/// <summary>Registered clients and users. Re-registering an id replaces it, so tests can change a client's quirks mid-run.</summary>
internal sealed class ProviderDirectory
{
    private readonly ConcurrentDictionary<string, TestClient> clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestUser> users = new(StringComparer.Ordinal);

    public void RegisterClient(TestClient client)
    {
        ArgumentException.ThrowIfNullOrEmpty(client.ClientId);
        ArgumentException.ThrowIfNullOrEmpty(client.ClientSecret);
        if (client.RedirectUris.Count == 0)
        {
            throw new ArgumentException("A client needs at least one redirect URI.", nameof(client));
        }

        clients[client.ClientId] = client;
    }

    public TestClient? FindClient(string clientId) => clients.GetValueOrDefault(clientId);

    /// <summary>The client an authorize request names, each client read under the name its provider uses for <c>client_id</c>.</summary>
    public TestClient? FindClient(Func<string, string?> parameter) =>
        clients.Values.FirstOrDefault(client => parameter(client.ParameterName(OAuthWire.Parameters.ClientId)) == client.ClientId);

    public void AddUser(TestUser user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user.Id);
        users[user.Id] = user;
    }

    /// <summary>Signs a user in by id or e-mail address, as login forms usually allow.</summary>
    public TestUser? Authenticate(string login, string password) =>
        users.Values.FirstOrDefault(user =>
            (user.Id == login || string.Equals(user.Email, login, StringComparison.OrdinalIgnoreCase))
            && OpaqueTokens.FixedTimeEquals(user.Password, password));
}
