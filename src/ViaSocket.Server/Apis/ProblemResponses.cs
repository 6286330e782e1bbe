namespace ViaSocket.Server.Apis;

/// <summary>OpenAPI metadata for the problem+json answers of an endpoint (see <see cref="Problems"/>).</summary>
internal static class ProblemResponses
{
    /// <summary>Declares that the endpoint answers these statuses with an RFC 9457 problem document.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var statusCode in statusCodes)
        {
            builder.ProducesProblem(statusCode);
        }

        return builder;
    }
}
