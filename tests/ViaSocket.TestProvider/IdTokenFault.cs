namespace ViaSocket.TestProvider;

/// <summary>How the ID tokens issued to one client are broken, for validation tests.</summary>
public enum IdTokenFault
{
    /// <summary>A valid token.</summary>
    None,

    /// <summary><c>aud</c> names another client.</summary>
    WrongAudience,

    /// <summary><c>exp</c> passed ten minutes ago.</summary>
    Expired,

    /// <summary>Signed by a key the key set never held, under a key id it does not know.</summary>
    UnknownKey,

    /// <summary>Signed correctly, then its payload changed (another <c>email</c>) under the same signature.</summary>
    Tampered,

    /// <summary><c>nonce</c> differs from the one in the authorization request.</summary>
    WrongNonce,

    /// <summary>No <c>nonce</c> although the authorization request had one.</summary>
    NoNonce,

    /// <summary><c>sub</c> names another user.</summary>
    WrongSubject,

    /// <summary>No <c>id_token</c> in the token response at all.</summary>
    Omitted,
}
