using Microsoft.Extensions.Primitives;

namespace ViaSocket.TestProvider;

/// <summary>The verdict on an authorization request (RFC 6749 4.1.1 and 4.1.2.1).</summary>
internal abstract record AuthorizeValidation
{
    private AuthorizeValidation()
    {
    }

    /// <summary>The client or redirect URI cannot be trusted: show an error page, never redirect.</summary>
    public sealed record Rejected(string Message) : AuthorizeValidation;

    /// <summary>The redirect URI is trusted but the request is bad: report the error to the client's callback.</summary>
    public sealed record RedirectedError(TestClient Client, string RedirectUri, string? State, OAuthError Error) : AuthorizeValidation;

    public sealed record Valid(AuthorizationRequest Request) : AuthorizeValidation;
}

/// <summary>Checks authorization request parameters, shared by the GET that shows the form and the POST that submits it.</summary>
internal static class AuthorizationRequestValidator
{
    private const int MinChallengeLength = 43;
    private const int MaxChallengeLength = 128;

    /// <param name="rawValue">A parameter's value before percent-decoding, for clients that split scopes on a raw <c>+</c>.</param>
    public static AuthorizeValidation Validate(
        IEnumerable<KeyValuePair<string, StringValues>> parameters,
        Func<Func<string, string?>, TestClient?> findClient,
        Func<string, string?> rawValue)
    {
        var values = parameters.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        string? Single(string name) => values.TryGetValue(name, out var value) && value.Count == 1 ? value[0] : null;

        if (findClient(Single) is not { } client)
        {
            return new AuthorizeValidation.Rejected("The client_id is missing or unknown.");
        }

        string? Named(string standardName) => Single(client.ParameterName(standardName));
        var redirectUri = Named(OAuthWire.Parameters.RedirectUri);
        if (redirectUri is null || !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return new AuthorizeValidation.Rejected("The redirect_uri is missing or not registered for this client.");
        }

        var state = Named(OAuthWire.Parameters.State);
        AuthorizeValidation Fail(string error, string description) =>
            new AuthorizeValidation.RedirectedError(client, redirectUri, state, new OAuthError(error, description));

        if (values.FirstOrDefault(pair => pair.Value.Count > 1).Key is { } repeated)
        {
            return Fail(OAuthWire.Errors.InvalidRequest, $"The {repeated} parameter is repeated.");
        }

        if (string.IsNullOrEmpty(state))
        {
            return Fail(OAuthWire.Errors.InvalidRequest, "The state parameter is required.");
        }

        var responseType = Named(OAuthWire.Parameters.ResponseType);
        if (!client.ExpectsResponseType)
        {
            if (values.ContainsKey(client.ParameterName(OAuthWire.Parameters.ResponseType)))
            {
                return Fail(OAuthWire.Errors.InvalidRequest, "This provider takes no response_type parameter.");
            }
        }
        else if (responseType is null)
        {
            return Fail(OAuthWire.Errors.InvalidRequest, "The response_type parameter is required.");
        }
        else if (responseType != OAuthWire.CodeResponseType)
        {
            return Fail(OAuthWire.Errors.UnsupportedResponseType, "Only response_type=code is supported.");
        }

        var scopeName = client.ParameterName(OAuthWire.Parameters.Scope);
        var scopes = client.ScopeSeparator == ScopeSeparator.Plus
            ? ScopeList.SplitRawPlus(values.ContainsKey(scopeName) ? rawValue(scopeName) : null)
            : ScopeList.Split(Named(OAuthWire.Parameters.Scope), client.ScopeSeparator);
        if (scopes.Any(scope => scope.Contains(' ', StringComparison.Ordinal) || (client.ScopeSeparator == ScopeSeparator.Plus && scope.Contains('+', StringComparison.Ordinal))))
        {
            return Fail(OAuthWire.Errors.InvalidScope, "The scope is not joined with the separator this client uses.");
        }

        if (client.AllowedScopes.Count > 0 && scopes.Except(client.AllowedScopes, StringComparer.Ordinal).Any())
        {
            return Fail(OAuthWire.Errors.InvalidScope, "The scope contains a value this client may not request.");
        }

        var challenge = Named(OAuthWire.Parameters.CodeChallenge);
        var challengeMethod = Named(OAuthWire.Parameters.CodeChallengeMethod);
        if (challenge is null)
        {
            if (challengeMethod is not null)
            {
                return Fail(OAuthWire.Errors.InvalidRequest, "A code_challenge_method was sent without a code_challenge.");
            }

            if (client.RequirePkce)
            {
                return Fail(OAuthWire.Errors.InvalidRequest, "This client must use PKCE (code_challenge is required).");
            }
        }
        else
        {
            // RFC 7636 4.3: the method defaults to plain when absent.
            challengeMethod ??= OAuthWire.PkceMethods.Plain;
            if (!Pkce.IsSupportedMethod(challengeMethod))
            {
                return Fail(OAuthWire.Errors.InvalidRequest, "The code_challenge_method must be S256 or plain.");
            }

            if (challenge.Length is < MinChallengeLength or > MaxChallengeLength)
            {
                return Fail(OAuthWire.Errors.InvalidRequest, "The code_challenge must be 43 to 128 characters.");
            }
        }

        return new AuthorizeValidation.Valid(
            new AuthorizationRequest(client, redirectUri, scopes, state, challenge, challenge is null ? null : challengeMethod, Named(OAuthWire.Parameters.Nonce)));
    }
}
