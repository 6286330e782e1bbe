using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ViaSocket.AuthVersions;
using ViaSocket.Grains;
using ViaSocket.Grains.AuthVersions;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.AuthVersions;

/// <summary>The definitions API over HTTP: drafts, validation, publishing, the write-only secret, test runs, auth.</summary>
public sealed class AuthVersionsApiTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private HttpClient Api => fixture.Flow.Api;

    [Fact]
    public async Task An_invalid_definition_is_refused_with_every_problem_located_by_json_pointer()
    {
        var definition = new JsonObject
        {
            ["fields"] = new JsonArray(new JsonObject { ["key"] = "a" }, new JsonObject { ["key"] = "a" }),
            ["authorization"] = new JsonObject { ["url"] = "not a url", ["scopeSeparator"] = "semicolon" },
            ["allowedUrls"] = new JsonArray("/relative"),
        };

        using var response = await Api.PutAsJsonAsync("/v1/plugins/bad/auth-versions/v1", definition);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("auth_version.invalid", (string?)problem["code"]);
        var pointers = problem["errors"]!.AsArray().Select(e => (string)e!["pointer"]!).ToHashSet();
        Assert.Superset(new HashSet<string> { "/fields/1/key", "/authorization/url", "/authorization/scopeSeparator", "/authorization/clientId", "/accessToken", "/testMe", "/allowedUrls/0" }, pointers);
        using var missing = await Api.GetAsync("/v1/plugins/bad/auth-versions/v1");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_label_that_reads_the_whole_context_is_refused_and_cannot_be_published()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["connectionLabel"] = "${JSON.stringify(context)}";

        using var put = await Api.PutAsJsonAsync("/v1/plugins/label-leak/auth-versions/v1", definition);
        using var publish = await Api.PostAsync("/v1/plugins/label-leak/auth-versions/v1/publish", null);

        var problem = await Problem.AssertAsync(put, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal(("/connectionLabel", "definition.label_reads_secret"), ((string?)error!["pointer"], (string?)error["code"]));
        Assert.Equal(HttpStatusCode.NotFound, publish.StatusCode);
    }

    [Fact]
    public async Task A_draft_stored_before_a_rule_existed_is_validated_again_when_published()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        using (var put = await Api.PutAsJsonAsync("/v1/plugins/old-draft/auth-versions/v1", definition))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // The row as an older release could have stored it: its label reads the whole context.
        await fixture.Host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([], TimeSpan.Zero);
        var storage = fixture.Host.App.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grainId = fixture.Host.Grains.GetGrain<IAuthVersionGrain>(GrainKeys.AuthVersion("default", "old-draft", "v1")).GetGrainId();
        var stored = new GrainState<AuthVersionState>(new AuthVersionState());
        await storage.ReadStateAsync(StorageNames.AuthVersionState, grainId, stored);
        definition["connectionLabel"] = "${JSON.stringify(context)}";
        stored.State!.DefinitionJson = definition.ToJsonString();
        await storage.WriteStateAsync(StorageNames.AuthVersionState, grainId, stored);

        using var publish = await Api.PostAsync("/v1/plugins/old-draft/auth-versions/v1/publish", null);

        var problem = await Problem.AssertAsync(publish, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal(("/connectionLabel", "definition.label_reads_secret"), ((string?)error!["pointer"], (string?)error["code"]));
        var draft = await fixture.Flow.GetJsonAsync("/v1/plugins/old-draft/auth-versions/v1");
        Assert.Equal("draft", (string?)draft["status"]);
    }

    [Fact]
    public async Task Malformed_json_a_wrong_media_type_and_a_bad_identifier_get_clear_errors()
    {
        using var malformed = await Api.PutAsync("/v1/plugins/p/auth-versions/v1", new StringContent("{\"authorization\": ", Encoding.UTF8, "application/json"));
        using var text = await Api.PutAsync("/v1/plugins/p/auth-versions/v1", new StringContent("{}", Encoding.UTF8, "text/plain"));
        using var badId = await Api.PutAsJsonAsync("/v1/plugins/bad%20id/auth-versions/v1", new JsonObject());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        Assert.Contains("definition.malformed_json", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("request.invalid_identifier", await badId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_secret_is_write_only_and_kept_when_a_draft_is_replaced_without_it()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        using (var put = await Api.PutAsJsonAsync("/v1/plugins/secret/auth-versions/v1", definition))
        {
            var body = await put.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.DoesNotContain(ProviderDefinitions.ClientSecret, body, StringComparison.Ordinal);
        }

        definition["authorization"]!.AsObject().Remove("clientSecret");
        using (var replace = await Api.PutAsJsonAsync("/v1/plugins/secret/auth-versions/v1", definition))
        {
            Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        }

        var stored = await fixture.Flow.GetJsonAsync("/v1/plugins/secret/auth-versions/v1");
        Assert.True((bool)stored["clientSecretSet"]!);
        Assert.Null(stored["definition"]!["authorization"]!["clientSecret"]);
        Assert.Equal(fixture.Host.CallbackUrl.ToString(), (string?)stored["redirectUri"]);
    }

    [Fact]
    public async Task A_published_version_is_immutable_and_cannot_be_deleted_but_drafts_can()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        await fixture.Flow.PublishAsync("immutable", "v1", definition);
        using (var draft = await Api.PutAsJsonAsync("/v1/plugins/immutable/auth-versions/v2", definition))
        {
            Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        }

        using var change = await Api.PutAsJsonAsync("/v1/plugins/immutable/auth-versions/v1", definition);
        using var deletePublished = await Api.DeleteAsync("/v1/plugins/immutable/auth-versions/v1");
        var list = await fixture.Flow.GetJsonAsync("/v1/plugins/immutable/auth-versions");
        using var deleteDraft = await Api.DeleteAsync("/v1/plugins/immutable/auth-versions/v2");

        Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        Assert.Contains("create a new version", await change.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Conflict, deletePublished.StatusCode);
        Assert.Equal(["published", "draft"], list["items"]!.AsArray().Select(v => (string)v!["status"]!));
        Assert.Equal(HttpStatusCode.NoContent, deleteDraft.StatusCode);
        using var gone = await Api.GetAsync("/v1/plugins/immutable/auth-versions/v2");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var after = await fixture.Flow.GetJsonAsync("/v1/plugins/immutable/auth-versions");
        Assert.Single(after["items"]!.AsArray());
    }

    [Fact]
    public async Task A_test_run_returns_the_block_result_console_lines_and_a_redacted_http_trace()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["testMe"] = new JsonObject
        {
            ["code"] = $$"""
                console.log('calling userinfo with secret', context.clientSecret);
                const response = await axios.get('{{fixture.Provider.UserInfoUrl}}?probe=value-to-hide', {
                  headers: { Authorization: 'Bearer ' + context.authData.accesstokencode.access_token },
                });
                return response.data;
                """,
        };
        using (var put = await Api.PutAsJsonAsync("/v1/plugins/testrun/auth-versions/v1", definition))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var sample = new JsonObject { ["accesstokencode"] = new JsonObject { ["access_token"] = "not-a-real-token" } };
        using var response = await Api.PostAsJsonAsync("/v1/plugins/testrun/auth-versions/v1/test-runs", new { block = "testMe", authData = sample });

        var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(run["result"]);
        Assert.Equal(401, (int)run["failure"]!["httpStatus"]!);
        var console = (string)run["console"]![0]!["message"]!;
        Assert.Contains("calling userinfo", console, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, run.ToJsonString(), StringComparison.Ordinal);
        var call = run["http"]![0]!;
        Assert.Equal("GET", (string?)call["method"]);
        Assert.Equal(401, (int)call["status"]!);
        Assert.DoesNotContain("value-to-hide", (string)call["url"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_test_run_of_an_undefined_block_is_a_clear_error()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition.Remove("revokeToken");
        using (var put = await Api.PutAsJsonAsync("/v1/plugins/testrun-missing/auth-versions/v1", definition))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var undefined = await Api.PostAsJsonAsync("/v1/plugins/testrun-missing/auth-versions/v1/test-runs", new { block = "revokeToken" });
        using var unknown = await Api.PostAsJsonAsync("/v1/plugins/testrun-missing/auth-versions/v1/test-runs", new { block = "nope" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, undefined.StatusCode);
        Assert.Contains("test_run.block_not_defined", await undefined.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }

    [Fact]
    public async Task Calls_without_a_key_are_401_and_keys_without_the_scope_are_403()
    {
        var readOnly = ApiKey.Generate();
        Assert.True(await fixture.Host.Grains.GetGrain<IApiKeyGrain>(readOnly.KeyId)
            .CreateAsync(new ApiKeyRegistration("default", readOnly.SecretHash(), [ApiKeyScopes.DefinitionsRead], "test")));
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var reader = fixture.Host.CreateClient(readOnly.Reveal());
        using var wrongSecret = fixture.Host.CreateClient(ApiKey.Prefix + readOnly.KeyId + "_" + ApiKey.Generate().Secret);

        using var noKey = await anonymous.GetAsync("/v1/plugins/p/auth-versions");
        using var forbidden = await reader.PutAsJsonAsync("/v1/plugins/p/auth-versions/v1", new JsonObject());
        using var allowed = await reader.GetAsync("/v1/plugins/p/auth-versions");
        using var rejected = await wrongSecret.GetAsync("/v1/plugins/p/auth-versions");

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Contains("auth.unauthenticated", await noKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("auth.forbidden", await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        using var live = await anonymous.GetAsync("/health/live");
        using var ready = await anonymous.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
