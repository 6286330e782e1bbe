namespace ViaSocket.TestProvider;

/// <summary>Shapes of a successful token response, mirroring how real providers deviate from RFC 6749 5.1.</summary>
public enum TokenResponseStyle
{
    /// <summary><c>access_token</c>, <c>token_type</c>, numeric <c>expires_in</c>, <c>refresh_token</c>, <c>scope</c>.</summary>
    Standard,

    /// <summary>As standard, but <c>expires_in</c> is a JSON string such as <c>"3600"</c>.</summary>
    ExpiresInAsString,

    /// <summary>As standard, without <c>expires_in</c> (the token still expires at the server).</summary>
    NoExpiresIn,

    /// <summary>The standard members wrapped in <c>{"data": {...}}</c>.</summary>
    Nested,

    /// <summary>As standard, without <c>scope</c> (RFC 6749 5.1: the grant is then what was requested).</summary>
    NoScope,
}
