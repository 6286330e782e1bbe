namespace ViaSocket.Blocks;

/// <summary>The failure of a block request refused by <see cref="BlockUrlPolicy"/>.</summary>
internal static class UrlPolicy
{
    /// <summary>Names only the scheme, host and port: the path and query may carry what the request was going to send.</summary>
    public static BlockFailure NotAllowed(Uri url) => new(BlockFailureKind.Refused, BlockErrorCodes.UrlNotAllowed,
        $"The block's request to {url.GetLeftPart(UriPartial.Authority)} was not sent: the URL is outside the auth version's allowed URLs. "
        + "List every base URL the blocks call (token, refresh, revoke and Test Me endpoints) in allowedUrls.");
}
