namespace ViaSocket.TestProvider;

/// <summary>How a client may authenticate at the token and revocation endpoints (RFC 6749 section 2.3.1).</summary>
[Flags]
public enum ClientAuthMethods
{
    /// <summary><c>client_secret_basic</c>: HTTP Basic with the URL-encoded id and secret.</summary>
    ClientSecretBasic = 1,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    ClientSecretPost = 2,

    /// <summary>Either method is accepted.</summary>
    Both = ClientSecretBasic | ClientSecretPost,
}
