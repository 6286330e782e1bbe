namespace ViaSocket.TestProvider;

/// <summary>Protocol names used on the wire (RFC 6749, 7009, 7636, 8414, 9207).</summary>
internal static class OAuthWire
{
    internal static class Parameters
    {
        public const string ResponseType = "response_type";
        public const string ClientId = "client_id";
        public const string ClientSecret = "client_secret";
        public const string RedirectUri = "redirect_uri";
        public const string Scope = "scope";
        public const string State = "state";
        public const string CodeChallenge = "code_challenge";
        public const string CodeChallengeMethod = "code_challenge_method";
        public const string Code = "code";
        public const string CodeVerifier = "code_verifier";
        public const string GrantType = "grant_type";
        public const string RefreshToken = "refresh_token";
        public const string Token = "token";
        public const string Error = "error";
        public const string ErrorDescription = "error_description";
        public const string Issuer = "iss";
        public const string Nonce = "nonce";
    }

    /// <summary>Fields of the test provider's own login form.</summary>
    internal static class LoginForm
    {
        public const string Username = "username";
        public const string Password = "password";
        public const string Decision = "decision";
        public const string Allow = "allow";
        public const string Deny = "deny";
    }

    internal static class Errors
    {
        public const string InvalidRequest = "invalid_request";
        public const string InvalidClient = "invalid_client";
        public const string InvalidGrant = "invalid_grant";
        public const string InvalidScope = "invalid_scope";
        public const string UnsupportedGrantType = "unsupported_grant_type";
        public const string UnsupportedResponseType = "unsupported_response_type";
        public const string AccessDenied = "access_denied";
        public const string TemporarilyUnavailable = "temporarily_unavailable";
        public const string InvalidToken = "invalid_token";
    }

    internal static class GrantTypes
    {
        public const string AuthorizationCode = "authorization_code";
        public const string RefreshToken = "refresh_token";
    }

    internal static class PkceMethods
    {
        public const string S256 = "S256";
        public const string Plain = "plain";
    }

    internal static class AuthMethodNames
    {
        public const string ClientSecretBasic = "client_secret_basic";
        public const string ClientSecretPost = "client_secret_post";
    }

    public const string CodeResponseType = "code";
    public const string BearerTokenType = "Bearer";
}
