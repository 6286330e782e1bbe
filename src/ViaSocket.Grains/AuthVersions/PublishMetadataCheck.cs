using ViaSocket.AuthVersions;
using ViaSocket.Blocks.Discovery;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Discovery;

namespace ViaSocket.Grains.AuthVersions;

/// <summary>
/// Publishing a version that names an issuer fetches the issuer's metadata again: differences are reported, a fetch
/// failure too (the publish goes ahead: the author reviewed the definition), and when the metadata advertises
/// <c>iss</c> in authorization responses the version goes live requiring it, so a stripped <c>iss</c> is noticed.
/// </summary>
internal static class PublishMetadataCheck
{
    public static async Task<(AuthVersionDefinition Definition, MetadataCheck Check)> RunAsync(OutboundHttpClient http, AuthVersionDefinition definition, string issuer)
    {
        var discovery = await MetadataDiscovery.DiscoverAsync(http, issuer, CancellationToken.None);
        if (discovery.Metadata is not { } metadata)
        {
            return (definition, new MetadataCheck(issuer, discovery.ErrorCode, discovery.Message, [], false));
        }

        var differences = MetadataDifferences.Find(definition, metadata).Select(d => new MetadataCheckDifference(d.Code, d.Message)).ToArray();
        if (metadata.AuthorizationResponseIssParameterSupported && definition.Authorization is { RequireIssuerParameter: false } authorization)
        {
            definition = definition with { Authorization = authorization with { RequireIssuerParameter = true } };
        }

        return (definition, new MetadataCheck(issuer, null, null, differences, metadata.AuthorizationResponseIssParameterSupported));
    }
}
