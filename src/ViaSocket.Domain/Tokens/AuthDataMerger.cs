using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tokens;

/// <summary>Puts API block results into a connection's authData (SPEC section 3). Pure: inputs are never mutated.</summary>
public static class AuthDataMerger
{
    /// <summary>
    /// A copy of <paramref name="authData"/> with <paramref name="result"/> stored under the block's key
    /// (<c>accesstokencode</c>, <c>refreshtokencode</c>, ...). A refresh result is merged as
    /// <see cref="ApplyRefreshResult"/> describes.
    /// </summary>
    public static JsonObject ApplyBlockResult(JsonObject authData, string blockKind, JsonNode? result)
    {
        ArgumentNullException.ThrowIfNull(authData);
        if (blockKind == BlockKinds.RefreshToken)
        {
            return ApplyRefreshResult(authData, result);
        }

        var copy = (JsonObject)authData.DeepClone();
        copy[BlockKinds.AuthDataKey(blockKind)] = result?.DeepClone();
        return copy;
    }

    /// <summary>
    /// A copy of <paramref name="authData"/> with the Refresh Token API result in <c>refreshtokencode</c> and its
    /// non-null members merged into <c>accesstokencode</c>, so <c>accesstokencode.access_token</c> is always the
    /// current token; a result without <c>refresh_token</c> keeps the previous one there.
    /// </summary>
    public static JsonObject ApplyRefreshResult(JsonObject authData, JsonNode? refreshResult)
    {
        ArgumentNullException.ThrowIfNull(authData);
        var copy = (JsonObject)authData.DeepClone();
        copy[AuthDataKeys.RefreshTokenCode] = refreshResult?.DeepClone();
        if (refreshResult is not JsonObject refreshed)
        {
            return copy;
        }

        if (copy[AuthDataKeys.AccessTokenCode] is not JsonObject accessTokenCode)
        {
            accessTokenCode = [];
            copy[AuthDataKeys.AccessTokenCode] = accessTokenCode;
        }

        foreach (var (name, value) in refreshed)
        {
            if (value is not null && value.GetValueKind() != JsonValueKind.Null)
            {
                accessTokenCode[name] = value.DeepClone();
            }
        }

        return copy;
    }
}
