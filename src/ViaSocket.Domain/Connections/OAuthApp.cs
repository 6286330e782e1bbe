namespace ViaSocket.Domain.Connections;

/// <summary>
/// The OAuth client a connection's authorize URL and blocks use (<c>context.clientId</c>, <c>context.clientSecret</c>):
/// a workspace's own client registered for the plugin, in place of the one in the version's definition.
/// </summary>
/// <param name="ClientSecret">Secret: write-only, never returned or logged.</param>
public sealed record OAuthApp(string ClientId, string ClientSecret)
{
    /// <summary>Never the secret: a record's generated text would print it wherever the app is logged or formatted.</summary>
    public override string ToString() => $"OAuthApp {{ ClientId = {ClientId} }}";
}
