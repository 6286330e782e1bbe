using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// RFC 9207 over a real connect flow: a version that requires <c>iss</c> (declared, or because the issuer's metadata
/// advertises it when the version is published) refuses a callback without it; one that does not still accepts it.
/// </summary>
public sealed class IssuerParameterTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IDisposable
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    public void Dispose() => Provider.EditMetadata = null;

    private async Task<(Dictionary<string, string> Outcome, int Grants)> ConnectAsync(string clientId, IssuerParameterMode mode, bool? requireIssuerParameter = null)
    {
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { IssuerParameter = mode });
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        if (requireIssuerParameter is { } required)
        {
            definition["authorization"]!["requireIssuerParameter"] = required;
        }

        await Flow.PublishAsync(clientId, "v1", definition);
        var grants = Provider.AuthorizationCodeGrants;
        var outcome = await Flow.ConnectAsync(clientId, "v1", ownerId: clientId);
        return (outcome, Provider.AuthorizationCodeGrants - grants);
    }

    [Fact]
    public async Task Required_and_absent_is_refused()
    {
        var (outcome, grants) = await ConnectAsync("iss-required-absent", IssuerParameterMode.Omitted, requireIssuerParameter: true);

        Assert.Equal("connection.issuer_missing", outcome["error"]);
        Assert.Equal(0, grants);
    }

    [Fact]
    public async Task Advertised_by_the_metadata_and_absent_is_refused_though_the_author_did_not_ask()
    {
        var (outcome, _) = await ConnectAsync("iss-advertised-absent", IssuerParameterMode.Omitted);

        Assert.Equal("connection.issuer_missing", outcome["error"]);
    }

    [Fact]
    public async Task Required_and_correct_connects()
    {
        var (outcome, grants) = await ConnectAsync("iss-required-correct", IssuerParameterMode.Correct, requireIssuerParameter: true);

        Assert.Equal("success", outcome["status"]);
        Assert.Equal(1, grants);
    }

    [Fact]
    public async Task Not_required_and_absent_connects()
    {
        // An issuer that does not advertise iss: nothing makes the version require it.
        Provider.EditMetadata = (document, _) =>
        {
            document.Remove("authorization_response_iss_parameter_supported");
            return true;
        };

        var (outcome, _) = await ConnectAsync("iss-optional-absent", IssuerParameterMode.Omitted);

        Assert.Equal("success", outcome["status"]);
    }

    [Fact]
    public async Task Required_and_mismatched_is_refused()
    {
        var (outcome, grants) = await ConnectAsync("iss-required-wrong", IssuerParameterMode.Wrong, requireIssuerParameter: true);

        Assert.Equal("connection.issuer_mismatch", outcome["error"]);
        Assert.Equal(0, grants);
    }
}
