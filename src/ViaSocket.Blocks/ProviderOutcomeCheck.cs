using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks;

/// <summary>
/// Reads a finished run's provider body for a failure the status did not show (see <see cref="ProviderOutcomes"/>):
/// a result that is really a refusal becomes a <see cref="BlockFailureKind.ProviderRefused"/> failure instead of being
/// taken for success, and an HTTP failure whose body says so becomes permanent or transient accordingly.
/// </summary>
internal static class ProviderOutcomeCheck
{
    /// <param name="expectsToken">A token block: a result holding no access token anywhere is not a success either.</param>
    public static BlockRunResult Apply(BlockRunResult run, IReadOnlyList<OutcomeRule> rules, bool expectsToken)
    {
        run = Recognized(run, rules);
        return expectsToken && run.Succeeded && !HoldsAccessToken(run.Result, depth: 0)
            ? run with
            {
                Result = null,
                Failure = new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.NoToken,
                    "The token answer holds no access_token, so it is not taken as a token (return the provider's token response, or throw BlockError for a refusal).",
                    ResponseData: run.Result),
            }
            : run;
    }

    private static BlockRunResult Recognized(BlockRunResult run, IReadOnlyList<OutcomeRule> rules)
    {
        var body = run.Failure switch
        {
            null => run.Result,
            { Kind: BlockFailureKind.HttpStatus } http => http.ResponseData,
            _ => null,
        };
        // A status failure the body agrees with (invalid_grant on a 400) stays what it is.
        if (ProviderOutcomes.Recognize(body, rules) is not { } outcome || (run.Failure is { } status && outcome.Permanent != status.IsTransient))
        {
            return run;
        }

        var httpStatus = run.Failure?.HttpStatus;
        var recognized = outcome.Permanent
            ? new BlockFailure(BlockFailureKind.ProviderRefused, BlockErrorCodes.ProviderRefused,
                $"The provider refused ({outcome.Error}); the user must connect again.", httpStatus, body)
            : new BlockFailure(BlockFailureKind.ProviderRetry, BlockErrorCodes.ProviderRetry,
                $"The provider asked to try again later ({outcome.Error}).", httpStatus, body, outcome.RetryAfter ?? run.Failure?.RetryAfter);
        return run with { Result = null, Failure = recognized };
    }

    /// <summary>
    /// Whether an access token is anywhere in the result: <c>access_token</c> (or <c>accessToken</c>) with a non-empty
    /// string value, at the top or nested (Slack's <c>authed_user.access_token</c>), a few levels deep.
    /// </summary>
    private static bool HoldsAccessToken(JsonNode? node, int depth) => depth <= 4 && node switch
    {
        JsonObject obj => obj.Any(member =>
            (IsAccessTokenName(member.Key) && member.Value is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            || HoldsAccessToken(member.Value, depth + 1)),
        JsonArray array => array.Any(item => HoldsAccessToken(item, depth + 1)),
        _ => false,
    };

    private static bool IsAccessTokenName(string name) =>
        name.Equals("access_token", StringComparison.OrdinalIgnoreCase) || name.Equals("accessToken", StringComparison.OrdinalIgnoreCase);

    /// <summary>What a block threw with <c>BlockError</c>: the author's own classification.</summary>
    public static BlockFailure Declared(bool permanent, string message, TimeSpan? retryAfter) => permanent
        ? new BlockFailure(BlockFailureKind.ProviderRefused, BlockErrorCodes.ProviderRefused, message)
        : new BlockFailure(BlockFailureKind.ProviderRetry, BlockErrorCodes.ProviderRetry, message, RetryAfter: retryAfter);
}
