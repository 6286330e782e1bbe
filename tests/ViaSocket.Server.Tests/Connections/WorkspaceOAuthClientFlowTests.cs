using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Web;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// A connection made with the workspace's own OAuth app goes to the provider with that app's credentials at every step
/// (authorize, code exchange, refresh, revoke), never the author's; both apps are registered at the test provider, and
/// a grant belongs to the client it was issued to, so a call with the wrong one is refused or changes nothing.
/// </summary>
public sealed class WorkspaceOAuthClientFlowTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task Connect_refresh_and_revoke_go_out_with_the_workspaces_client_not_the_authors()
    {
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl);
        await Flow.PublishAsync("byo-e2e", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-e2e"))["oauthClientId"]!;

        var (connectionId, authorizeUrl) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-e2e", oauthClientId);

        Assert.Equal(WorkspaceOAuthClients.ClientId, HttpUtility.ParseQueryString(authorizeUrl.Query)["client_id"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal(oauthClientId, (string?)connection["oauthClientId"]);
        var accessToken = await Flow.AccessTokenAsync(connectionId);

        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.StatusCode == HttpStatusCode.OK, await refresh.Content.ReadAsStringAsync());
        }

        var refreshed = fixture.Provider.RefreshGrantLog[^1];
        Assert.Equal((WorkspaceOAuthClients.ClientId, 200), (refreshed.ClientId, refreshed.StatusCode));
        var refreshedToken = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(accessToken, refreshedToken);

        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            var view = JsonNode.Parse(await disconnect.Content.ReadAsStringAsync())!;
            Assert.Equal("revoked", (string?)view["status"]);
            Assert.Null(view["lastError"]);
        }

        // The provider revokes a grant only for the client it was issued to: the token is dead, so the revoke was ours.
        Assert.False(fixture.Provider.IsAccessTokenActive(refreshedToken));
    }

    [Fact]
    public async Task The_secret_never_appears_in_the_authorize_url_any_response_or_any_log()
    {
        const string secret = "leak-hunt-secret-7a6b5c4d";
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl, "leak-hunt-app", secret);
        await Flow.PublishAsync("byo-leak", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var bodies = new List<string>();
        var created = await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-leak", clientId: "leak-hunt-app", secret: secret);
        bodies.Add(created.ToJsonString());
        var oauthClientId = (string)created["oauthClientId"]!;

        var (connectionId, authorizeUrl) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-leak", oauthClientId, ownerId: "leak-hunter");
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            bodies.Add(await refresh.Content.ReadAsStringAsync());
        }

        foreach (var path in new[] { "/v1/oauth-clients", $"/v1/oauth-clients/{oauthClientId}", $"/v1/connections/{connectionId}", $"/v1/connections/{connectionId}/credentials" })
        {
            bodies.Add((await Flow.GetJsonAsync(path)).ToJsonString());
        }

        using (var patch = await Flow.Api.PatchAsJsonAsync($"/v1/oauth-clients/{oauthClientId}", new { name = "renamed" }))
        {
            bodies.Add(await patch.Content.ReadAsStringAsync());
        }

        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            bodies.Add(await disconnect.Content.ReadAsStringAsync());
        }

        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"leak-hunt-app:{secret}"));
        Assert.DoesNotContain(secret, authorizeUrl.AbsoluteUri, StringComparison.Ordinal);
        Assert.All(bodies, body => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
        var logs = fixture.Host.Logs.AllText;
        Assert.Contains(oauthClientId, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(basic, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_secret_is_what_the_next_refresh_sends()
    {
        const string rotated = "rotated-secret-0c1d2e3f4a";
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl, "rotating-app", "first-secret-9a8b7c6d");
        await Flow.PublishAsync("byo-rotate", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-rotate", clientId: "rotating-app", secret: "first-secret-9a8b7c6d"))["oauthClientId"]!;
        var (connectionId, _) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-rotate", oauthClientId, ownerId: "rotator");
        var before = await Flow.AccessTokenAsync(connectionId);

        // The app's secret is rotated at the provider (the old one stops working) and then here.
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl, "rotating-app", rotated);
        using (var patch = await Flow.Api.PatchAsJsonAsync($"/v1/oauth-clients/{oauthClientId}", new { clientSecret = rotated }))
        {
            Assert.True(patch.StatusCode == HttpStatusCode.OK, await patch.Content.ReadAsStringAsync());
        }

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        Assert.True(refresh.StatusCode == HttpStatusCode.OK, await refresh.Content.ReadAsStringAsync());
        Assert.Equal(("rotating-app", 200), (fixture.Provider.RefreshGrantLog[^1].ClientId, fixture.Provider.RefreshGrantLog[^1].StatusCode));
        Assert.NotEqual(before, await Flow.AccessTokenAsync(connectionId));
    }

    [Fact]
    public async Task A_client_of_one_plugin_or_pinned_version_cannot_start_a_connection_of_another()
    {
        await Flow.PublishAsync("byo-plugin-a", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        await Flow.PublishAsync("byo-plugin-b", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        await Flow.PublishAsync("byo-plugin-a", "v2", ProviderDefinitions.JavaScript(fixture.Provider));
        var forA = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-plugin-a"))["oauthClientId"]!;
        var pinnedToV1 = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-plugin-a", versionId: "v1"))["oauthClientId"]!;

        using var otherPlugin = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-plugin-b", forA, ownerId: "plugin-hopper");
        using var otherVersion = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-plugin-a", pinnedToV1, versionId: "v2", ownerId: "plugin-hopper");
        using var unknown = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-plugin-a", "oac_0000000000000000000000000000dead", ownerId: "plugin-hopper");
        using var malformed = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-plugin-a", "../" + forA, ownerId: "plugin-hopper");
        var direct = await fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", "conn_direct_hostile")).StartAuthorizationAsync(new StartAuthorization(
            "default", "byo-plugin-a", "v1", "plugin-hopper", new Dictionary<string, string>(), fixture.Host.CallbackUrl.ToString(), null, "oac\n\u202Eforged"));

        await Problem.AssertAsync(otherPlugin, HttpStatusCode.UnprocessableEntity, ConnectionErrorCodes.OAuthClientNotForVersion);
        await Problem.AssertAsync(otherVersion, HttpStatusCode.UnprocessableEntity, ConnectionErrorCodes.OAuthClientNotForVersion);
        await Problem.AssertAsync(unknown, HttpStatusCode.UnprocessableEntity, ConnectionErrorCodes.OAuthClientNotFound);
        await Problem.AssertAsync(malformed, HttpStatusCode.UnprocessableEntity, "request.invalid");
        Assert.Equal(ConnectionErrorCodes.OAuthClientNotFound, direct.Error?.Code);
        Assert.DoesNotContain("forged", direct.Error!.Message, StringComparison.Ordinal);
        using var pinnedOwnVersion = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-plugin-a", pinnedToV1, ownerId: "plugin-hopper");
        Assert.Equal(HttpStatusCode.Created, pinnedOwnVersion.StatusCode);
    }

    [Fact]
    public async Task Another_workspace_cannot_start_a_connection_with_this_workspaces_client()
    {
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl);
        await Flow.PublishAsync("byo-shared", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-shared"))["oauthClientId"]!;
        using var intruder = await OtherWorkspace.ClientAsync(fixture.Host, "workspace-byo-intruder");
        using (var settings = await intruder.PutAsJsonAsync("/v1/workspace/settings", new { allowedReturnUrlHosts = new[] { new Uri(ConnectFlow.ReturnUrl).Host } }))
        {
            Assert.True(settings.IsSuccessStatusCode, await settings.Content.ReadAsStringAsync());
        }

        using (var put = await intruder.PutAsJsonAsync("/v1/plugins/byo-shared/auth-versions/v1", ProviderDefinitions.JavaScript(fixture.Provider)))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using (var publish = await intruder.PostAsync("/v1/plugins/byo-shared/auth-versions/v1/publish", null))
        {
            Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync());
        }

        using var start = await WorkspaceOAuthClients.StartAsync(intruder, "byo-shared", oauthClientId);

        await Problem.AssertAsync(start, HttpStatusCode.UnprocessableEntity, ConnectionErrorCodes.OAuthClientNotFound);
    }

    [Fact]
    public async Task Deleting_a_client_in_use_ends_its_connections_in_reauth_required_at_the_next_token_call_without_using_the_authors_client()
    {
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl);
        await Flow.PublishAsync("byo-deleted", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-deleted"))["oauthClientId"]!;
        var (connectionId, _) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-deleted", oauthClientId, ownerId: "deleter");
        var accessToken = await Flow.AccessTokenAsync(connectionId);
        using (var delete = await Flow.Api.DeleteAsync($"/v1/oauth-clients/{oauthClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var refreshesBefore = fixture.Provider.RefreshGrants;
        var revokesBefore = fixture.Provider.RevokeCalls;

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        await Problem.AssertAsync(refresh, HttpStatusCode.Conflict, ConnectionErrorCodes.ReauthRequired);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("reauth_required", (string?)connection["status"]);
        Assert.Contains(connection["history"]!.AsArray(), e => (string?)e!["kind"] == "reauth_required" && (string?)e["detail"] == ConnectionErrorCodes.OAuthClientDeleted);
        using (var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials"))
        {
            await Problem.AssertAsync(credentials, HttpStatusCode.Conflict, ConnectionErrorCodes.ReauthRequired);
        }

        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            var view = JsonNode.Parse(await disconnect.Content.ReadAsStringAsync())!;
            Assert.Equal("revoked", (string?)view["status"]);
            Assert.Equal(ConnectionErrorCodes.OAuthClientDeleted, (string?)view["lastError"]!["code"]);
        }

        // Nothing went to the provider with the author's credentials in place of the deleted client's.
        Assert.Equal(refreshesBefore, fixture.Provider.RefreshGrants);
        Assert.Equal(revokesBefore, fixture.Provider.RevokeCalls);
        Assert.True(fixture.Provider.IsAccessTokenActive(accessToken));
    }

    [Fact]
    public async Task A_callback_for_a_client_deleted_since_the_start_fails_without_exchanging_the_code_with_the_authors_client()
    {
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl);
        await Flow.PublishAsync("byo-midflight", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-midflight"))["oauthClientId"]!;
        using var start = await WorkspaceOAuthClients.StartAsync(Flow.Api, "byo-midflight", oauthClientId, ownerId: "midflight");
        var authorizeUrl = new Uri((string)JsonNode.Parse(await start.Content.ReadAsStringAsync())!["authorizeUrl"]!);
        var consented = await Flow.ConsentAsync(authorizeUrl);
        using (var delete = await Flow.Api.DeleteAsync($"/v1/oauth-clients/{oauthClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var exchangesBefore = fixture.Provider.AuthorizationCodeGrants;

        using var callback = await Flow.CallbackAsync(consented);

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal(("error", ConnectionErrorCodes.OAuthClientDeleted), (outcome["status"], outcome["error"]));
        Assert.Equal(exchangesBefore, fixture.Provider.AuthorizationCodeGrants);
        Assert.Equal("pending", (string?)(await Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}"))["status"]);
    }

    [Fact]
    public async Task A_reconnect_keeps_the_client_unless_it_names_another_or_the_versions_own()
    {
        WorkspaceOAuthClients.RegisterAtProvider(fixture.Provider, fixture.Host.CallbackUrl);
        await Flow.PublishAsync("byo-reconnect", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var oauthClientId = (string)(await WorkspaceOAuthClients.CreateAsync(Flow.Api, "byo-reconnect"))["oauthClientId"]!;
        var (connectionId, _) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-reconnect", oauthClientId, ownerId: "reconnector");

        var (kept, keptUrl) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-reconnect", oauthClientId: null, connectionId, ownerId: "reconnector");

        Assert.Equal(connectionId, kept);
        Assert.Equal(WorkspaceOAuthClients.ClientId, HttpUtility.ParseQueryString(keptUrl.Query)["client_id"]);
        Assert.Equal(oauthClientId, (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["oauthClientId"]);

        var (_, ownUrl) = await WorkspaceOAuthClients.ConnectAsync(Flow, "byo-reconnect", StartAuthorization.VersionsOwnClient, connectionId, ownerId: "reconnector");

        Assert.Equal(ProviderDefinitions.ClientId, HttpUtility.ParseQueryString(ownUrl.Query)["client_id"]);
        Assert.Null((await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["oauthClientId"]);
        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        Assert.True(refresh.StatusCode == HttpStatusCode.OK, await refresh.Content.ReadAsStringAsync());
        Assert.Equal((ProviderDefinitions.ClientId, 200), (fixture.Provider.RefreshGrantLog[^1].ClientId, fixture.Provider.RefreshGrantLog[^1].StatusCode));
    }
}
