namespace ViaSocket.AuthVersions;

/// <summary>What publishing found when it fetched the metadata of the version's issuer again.</summary>
/// <param name="ErrorCode">Why the metadata could not be fetched or read (a <c>discovery.*</c> code); the publish went ahead.</param>
/// <param name="Differences">How the definition differs from the metadata published now.</param>
/// <param name="IssuerParameterRequired">The metadata advertises iss in authorization responses, so the published version requires it.</param>
[GenerateSerializer, Immutable]
public sealed record MetadataCheck(string Issuer, string? ErrorCode, string? ErrorMessage, IReadOnlyList<MetadataCheckDifference> Differences, bool IssuerParameterRequired);

[GenerateSerializer, Immutable]
public sealed record MetadataCheckDifference(string Code, string Message);
