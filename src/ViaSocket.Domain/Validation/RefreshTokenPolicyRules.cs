using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Validation;

/// <summary>Checks <c>refreshTokenPolicy</c> (see <see cref="RefreshTokenPolicyDefinition"/>).</summary>
internal static class RefreshTokenPolicyRules
{
    private const string Pointer = "/refreshTokenPolicy";

    public static void Check(RefreshTokenPolicyDefinition? policy, List<ValidationProblem> problems)
    {
        if (policy is null)
        {
            return;
        }

        if (policy.ExpiresInPath is { } path && !DottedPath.IsValid(path))
        {
            problems.Add(new(Pointer + "/expiresInPath", ValidationCodes.InvalidPath, "Use a dotted path such as refresh_token_expires_in."));
        }

        CheckRange(policy.LifetimeSeconds, "/lifetimeSeconds", 60, RefreshTokenLifetime.MaxLifetimeSeconds, problems);
        CheckRange(policy.ReconnectSoonSeconds, "/reconnectSoonSeconds", 0, RefreshTokenLifetime.MaxReconnectSoonSeconds, problems);
        CheckRange(policy.ReuseGraceSeconds, "/reuseGraceSeconds", 0, ReuseGrace.MaxGraceSeconds, problems);
    }

    private static void CheckRange(int? value, string member, int min, int max, List<ValidationProblem> problems)
    {
        if (value is { } seconds && (seconds < min || seconds > max))
        {
            problems.Add(new(Pointer + member, ValidationCodes.OutOfRange, $"Give a number of seconds from {min} to {max}."));
        }
    }
}
