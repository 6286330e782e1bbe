using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// The standard authorize-request parameters (RFC 6749 section 4.1.1, RFC 7636 section 4.3, OpenID Connect Core 3.1.2.1) and the names a version
/// sends them under (<see cref="AuthorizationDefinition.ParameterNames"/>, <see cref="AuthorizationDefinition.OmitParameters"/>).
/// </summary>
public static class AuthorizeParameters
{
    public const string ResponseType = "response_type";
    public const string ClientId = "client_id";
    public const string RedirectUri = "redirect_uri";
    public const string Scope = "scope";
    public const string State = "state";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";

    /// <summary>OpenID Connect Core section 3.1.2.1: sent when the attempt asks for <c>openid</c>.</summary>
    public const string Nonce = "nonce";

    public static IReadOnlyList<string> All { get; } = [ResponseType, ClientId, RedirectUri, Scope, State, CodeChallenge, CodeChallengeMethod, Nonce];

    /// <summary>
    /// The parameters a version may leave out. <c>state</c> never (it is the CSRF defence), <c>nonce</c> never (the ID token's replay defence), <c>client_id</c> never,
    /// <c>scope</c> and the PKCE parameters follow the scopes and the PKCE mode instead.
    /// </summary>
    public static IReadOnlySet<string> Omittable { get; } = new HashSet<string>(StringComparer.Ordinal) { ResponseType, RedirectUri };

    /// <summary>The name <paramref name="standardName"/> goes out under, or null when the version omits it.</summary>
    public static string? NameFor(AuthorizationDefinition authorization, string standardName)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (authorization.OmitParameters.Contains(standardName, StringComparer.Ordinal))
        {
            return null;
        }

        return authorization.ParameterNames.TryGetValue(standardName, out var renamed) ? renamed : standardName;
    }

    /// <summary>Every name the service itself sends for this version: neither the URL template's query nor extraParams may set them.</summary>
    public static IReadOnlySet<string> OwnedNames(AuthorizationDefinition authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var names = new HashSet<string>(All, StringComparer.Ordinal);
        names.UnionWith(authorization.ParameterNames.Values);
        if (!IdTokenPolicy.MayRequest(authorization))
        {
            // A version that never asks for openid sends no nonce of its own: a static one in extraParams still goes out.
            names.Remove(Nonce);
            if (authorization.ParameterNames.TryGetValue(Nonce, out var renamed))
            {
                names.Remove(renamed);
            }
        }

        return names;
    }
}
