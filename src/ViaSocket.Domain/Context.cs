namespace ViaSocket.Domain;

/// <summary>
/// Names inside the <c>context</c> object that blocks and templates see (SPEC section 3). The context
/// is a <see cref="System.Text.Json.Nodes.JsonObject"/> shaped
/// <c>{ authData, clientId, clientSecret, clientBasicAuth, redirectUri, codeVerifier, scopes, inputData }</c>.
/// </summary>
public static class ContextKeys
{
    public const string AuthData = "authData";
    public const string ClientId = "clientId";
    public const string ClientSecret = "clientSecret";

    /// <summary>Sensitive: <c>Basic base64(id:secret)</c>, RFC 6749 section 2.3.1, ready to send as the Authorization header.</summary>
    public const string ClientBasicAuth = "clientBasicAuth";
    public const string RedirectUri = "redirectUri";
    public const string CodeVerifier = "codeVerifier";
    public const string Scopes = "scopes";
    public const string InputData = "inputData";
}

/// <summary>Namespaces inside <c>context.authData</c> that hold API block results.</summary>
public static class AuthDataKeys
{
    public const string Code = "code";
    public const string AccessTokenCode = "accesstokencode";
    public const string RefreshTokenCode = "refreshtokencode";
    public const string RevokeTokenCode = "revoketokencode";
    public const string TestMe = "testme";

    /// <summary>The claims of the validated ID token (OpenID Connect Core section 2), e.g. <c>context.authData.idtoken.email</c>.</summary>
    public const string IdToken = "idtoken";

    /// <summary>The callback parameters the version declares (<c>context.authData.callback.realmId</c>).</summary>
    public const string Callback = "callback";
}
