namespace ViaSocket.TestProvider;

/// <summary>A resource owner who can sign in at the test provider's login form.</summary>
/// <param name="Id">The login name and the stable subject identifier (<c>sub</c>).</param>
public sealed record TestUser(string Id, string Email, string Name, string Password)
{
    /// <summary>The user every server starts with (unless <see cref="TestProviderOptions.AddDefaultUser"/> is off).</summary>
    public static TestUser Alice { get; } = new("alice", "alice@example.com", "Alice Example", "password");
}
