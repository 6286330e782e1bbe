using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// OpenID Connect ID tokens against the loopback provider: validated at connect and on refresh, their claims naming the
/// connection without a Test Me call, key rotation picked up and forged key ids not hammering the key set. Each test has
/// its own client and its own key set URL (a query the provider ignores), so the service's key cache is its own too.
/// </summary>
public sealed class IdTokenFlowTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task A_valid_id_token_names_the_connection_without_a_test_me_call()
    {
        const string clientId = "oidc-good";
        await PublishAsync(clientId);

        var (connectionId, authorizeUrl) = await Flow.StartAsync(clientId, "v1", ownerId: clientId);
        var nonce = QueryHelpers.ParseQuery(authorizeUrl.Query)["nonce"].ToString();
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
        Assert.True(nonce.Length >= 43, "The authorize request carries a random nonce.");
        using var view = await Flow.Api.GetAsync($"/v1/connections/{connectionId}");
        var body = await view.Content.ReadAsStringAsync();
        var connection = JsonNode.Parse(body)!;
        Assert.Equal("active", (string?)connection["status"]);
        Assert.Equal(TestUser.Alice.Email, (string?)connection["label"]);
        Assert.DoesNotContain(nonce, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnecting_the_same_account_finds_the_connection_by_the_id_token_subject()
    {
        const string clientId = "oidc-dedup";
        await PublishAsync(clientId);

        var first = await ConnectAsync(clientId);
        var second = await ConnectAsync(clientId);

        Assert.Equal("success", second["status"]);
        Assert.Equal(first["connectionId"], second["connectionId"]);
    }

    [Theory]
    [InlineData(IdTokenFault.WrongAudience, "audience")]
    [InlineData(IdTokenFault.Expired, "expired")]
    [InlineData(IdTokenFault.Tampered, "signature")]
    [InlineData(IdTokenFault.UnknownKey, "signature key unknown")]
    [InlineData(IdTokenFault.WrongNonce, "nonce")]
    [InlineData(IdTokenFault.NoNonce, "nonce")]
    [InlineData(IdTokenFault.Omitted, "missing")]
    public async Task An_invalid_id_token_fails_the_attempt_naming_the_check(IdTokenFault fault, string reason)
    {
        var clientId = "oidc-fault-" + fault.ToString().ToLowerInvariant();
        await PublishAsync(clientId, fault: fault);

        var outcome = await ConnectAsync(clientId);

        Assert.Equal("error", outcome["status"]);
        Assert.Equal(ConnectionErrorCodes.IdTokenInvalid, outcome["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}");
        Assert.Equal("pending", (string?)connection["status"]);
        Assert.Equal($"The ID token failed validation: {reason}.", (string?)connection["lastError"]!["message"]);
    }

    [Fact]
    public async Task An_id_token_from_another_issuer_fails_the_attempt()
    {
        const string clientId = "oidc-issuer";
        // The callback's iss would be refused first (RFC 9207): this provider leaves it out, so the ID token's is checked.
        await PublishAsync(clientId, client => client with { IssuerParameter = IssuerParameterMode.Omitted }, definition => definition["authorization"]!["issuer"] = "https://issuer.example.test");

        var outcome = await ConnectAsync(clientId);

        Assert.Equal(ConnectionErrorCodes.IdTokenInvalid, outcome["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}");
        Assert.Equal("The ID token failed validation: issuer.", (string?)connection["lastError"]!["message"]);
    }

    [Fact]
    public async Task A_rotated_signing_key_is_picked_up_by_refetching_the_key_set()
    {
        const string clientId = "oidc-rotation";
        await PublishAsync(clientId);
        Assert.Equal("success", (await ConnectAsync(clientId))["status"]);
        var fetches = Provider.JwksRequests;

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Provider.RotateIdTokenSigningKey();
        var outcome = await ConnectAsync(clientId, "owner-after-rotation");

        Assert.Equal("success", outcome["status"]);
        Assert.Equal(fetches + 1, Provider.JwksRequests);
    }

    [Fact]
    public async Task Forged_key_ids_refetch_the_key_set_at_most_once_per_interval()
    {
        const string clientId = "oidc-forged-kid";
        await PublishAsync(clientId, fault: IdTokenFault.UnknownKey);
        var before = Provider.JwksRequests;

        // The first fetch is fresh, so its unknown kid asks nothing more; after the interval one refetch, then none again.
        await ConnectAsync(clientId);
        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        await ConnectAsync(clientId);
        await ConnectAsync(clientId);
        await ConnectAsync(clientId);

        Assert.Equal(before + 2, Provider.JwksRequests);
    }

    [Fact]
    public async Task A_refresh_validates_its_id_token_and_renews_the_claims()
    {
        const string clientId = "oidc-refresh";
        await PublishAsync(clientId);
        var connectionId = (await ConnectAsync(clientId))["connectionId"];
        var before = await StoredClaimsAsync(connectionId);

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var after = await StoredClaimsAsync(connectionId);
        Assert.Equal("alice", (string?)after["sub"]);
        Assert.NotEqual((string?)before["jti"], (string?)after["jti"]);
        Assert.Null(before["nonce"]);
        Assert.Equal("active", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    [Fact]
    public async Task Testing_a_connection_without_test_me_is_refused_with_a_code()
    {
        const string clientId = "oidc-test";
        await PublishAsync(clientId);
        var connectionId = (await ConnectAsync(clientId))["connectionId"];

        using var test = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/test", null);

        Assert.Equal(HttpStatusCode.Conflict, test.StatusCode);
        Assert.Equal(ConnectionErrorCodes.TestUnavailable, (string?)JsonNode.Parse(await test.Content.ReadAsStringAsync())!["code"]);
    }

    [Fact]
    public async Task A_refresh_whose_id_token_names_another_subject_requires_reauthorization()
    {
        const string clientId = "oidc-refresh-sub";
        await PublishAsync(clientId);
        var connectionId = (await ConnectAsync(clientId))["connectionId"];

        Provider.SetIdTokenFault(clientId, IdTokenFault.WrongSubject);
        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("reauth_required", (string?)connection["status"]);
        Assert.Equal(ConnectionErrorCodes.ReauthRequired, (string?)connection["lastError"]!["code"]);
        Assert.Equal("The ID token failed validation: subject.", (string?)connection["lastError"]!["message"]);
    }

    [Fact]
    public async Task Without_a_key_set_the_id_token_is_neither_validated_nor_offered_to_templates()
    {
        const string clientId = "oidc-unverifiable";
        await PublishAsync(clientId, fault: IdTokenFault.WrongAudience, customizeDefinition: definition =>
        {
            definition.AsObject()["authorization"]!.AsObject().Remove("jwksUrl");
            definition["testMe"] = ProviderDefinitions.JavaScript(Provider, clientId: clientId)["testMe"]!.DeepClone();
            definition["connectionLabel"] = "${context.authData.testme.email}";
            definition["uniqueIdentifier"] = "${context.authData.testme.id}";
        });

        var outcome = await ConnectAsync(clientId);

        Assert.Equal("success", outcome["status"]);
        await PublishAsync(clientId, versionId: "v2", register: false, customizeDefinition: definition =>
        {
            definition.AsObject()["authorization"]!.AsObject().Remove("jwksUrl");
            definition["testMe"] = ProviderDefinitions.JavaScript(Provider, clientId: clientId)["testMe"]!.DeepClone();
        });
        var v2 = await ConnectAsync(clientId, versionId: "v2", ownerId: "owner-v2");
        Assert.Equal(ConnectionErrorCodes.TemplateFailed, v2["error"]);
    }

    private async Task PublishAsync(
        string clientId, Func<TestClient, TestClient>? customizeClient = null, Action<JsonObject>? customizeDefinition = null, IdTokenFault fault = IdTokenFault.None,
        string versionId = "v1", bool register = true)
    {
        if (register)
        {
            var client = ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId);
            Provider.RegisterClient(customizeClient is null ? client : customizeClient(client));
            Provider.SetIdTokenFault(clientId, fault);
        }

        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition["authorization"]!["scopes"] = new JsonArray("openid", "read");
        definition["authorization"]!["jwksUrl"] = $"{Provider.JwksUrl}?case={clientId}";
        definition.Remove("testMe");
        definition["connectionLabel"] = "${context.authData.idtoken.email}";
        definition["uniqueIdentifier"] = "${context.authData.idtoken.sub}";
        customizeDefinition?.Invoke(definition);
        await Flow.PublishAsync(clientId, versionId, definition);
    }

    private async Task<JsonObject> StoredClaimsAsync(string connectionId)
    {
        var stored = await StoredConnectionState.ReadAsync(fixture, connectionId);
        var authData = JsonNode.Parse(stored.State!.AuthData ?? [])!;
        return authData[ViaSocket.Domain.AuthDataKeys.IdToken]!.AsObject();
    }

    private Task<Dictionary<string, string>> ConnectAsync(string clientId, string? ownerId = null, string versionId = "v1") =>
        Flow.ConnectAsync(clientId, versionId, ownerId: ownerId ?? clientId);
}
