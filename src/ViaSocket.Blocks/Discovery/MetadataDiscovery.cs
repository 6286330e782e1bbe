using System.Net.Http.Headers;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Discovery;

namespace ViaSocket.Blocks.Discovery;

/// <summary>
/// Fetches an issuer's metadata through the guarded outbound client (so a private, link-local or metadata address is
/// refused at connect time, redirects are not followed and the body is capped), trying the RFC 8414 location first
/// and the OpenID Connect one second; the first document found is the one judged.
/// </summary>
public static class MetadataDiscovery
{
    /// <summary>Shorter than a block's timeout: an author waits on it, and a publish re-check must not stall.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<DiscoveryResult> DiscoverAsync(OutboundHttpClient http, string? issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (DiscoveryLocations.For(issuer, out var problem) is not { } locations)
        {
            return DiscoveryResult.Failure(DiscoveryErrorCodes.InvalidIssuer, problem!);
        }

        var statuses = new List<string>();
        foreach (var location in locations)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, location);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            OutboundResponse response;
            try
            {
                response = await http.SendAsync(request, Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (OutboundRequestException failure)
            {
                return DiscoveryResult.Failure(
                    failure.Kind == OutboundFailureKind.AddressRefused ? DiscoveryErrorCodes.AddressRefused
                    : failure.Kind == OutboundFailureKind.ResponseTooLarge ? DiscoveryErrorCodes.InvalidDocument
                    : DiscoveryErrorCodes.Unreachable,
                    failure.Message);
            }

            if (response.IsSuccessStatusCode)
            {
                return MetadataDocument.Parse(response.Body, issuer!);
            }

            statuses.Add($"{location.AbsolutePath} answered {response.StatusCode}");
        }

        return DiscoveryResult.Failure(DiscoveryErrorCodes.NotFound, $"No metadata document was found: {string.Join("; ", statuses)}.");
    }
}
