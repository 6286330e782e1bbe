namespace ViaSocket.TestProvider;

/// <summary>How the protected API answers a request with an expired access token; providers disagree, and some hide it in a success.</summary>
public enum ExpiredTokenAnswer
{
    /// <summary>401 with an RFC 6750 <c>invalid_token</c> challenge.</summary>
    Unauthorized,

    /// <summary>403 with <c>{"error":{"code":"TOKEN_EXPIRED"}}</c>, as some APIs answer instead of 401.</summary>
    ForbiddenWithErrorCode,

    /// <summary>200 with <c>{"ok":false,"error":"token_expired"}</c>, as Slack answers.</summary>
    OkWithErrorBody,
}
