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
    public static BlockRunResult Apply(BlockRunResult run, IReadOnlyList<OutcomeRule> rules)
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

    /// <summary>What a block threw with <c>BlockError</c>: the author's own classification.</summary>
    public static BlockFailure Declared(bool permanent, string message, TimeSpan? retryAfter) => permanent
        ? new BlockFailure(BlockFailureKind.ProviderRefused, BlockErrorCodes.ProviderRefused, message)
        : new BlockFailure(BlockFailureKind.ProviderRetry, BlockErrorCodes.ProviderRetry, message, RetryAfter: retryAfter);
}
