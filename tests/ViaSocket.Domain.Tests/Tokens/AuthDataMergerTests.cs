using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Tests.Tokens;

public sealed class AuthDataMergerTests
{
    private static JsonObject AuthData() => JsonNode.Parse("""
        { "subdomain": "acme", "code": "c",
          "accesstokencode": { "access_token": "old-at", "refresh_token": "old-rt", "expires_in": 3600, "instance_url": "https://i" } }
        """)!.AsObject();

    [Fact]
    public void A_refresh_result_is_stored_and_merged_into_the_access_token_result()
    {
        var refresh = JsonNode.Parse("""{ "access_token": "new-at", "expires_in": 1800, "scope": null }""");

        var merged = AuthDataMerger.ApplyRefreshResult(AuthData(), refresh);

        Assert.Equal("""{"access_token":"new-at","expires_in":1800,"scope":null}""", merged["refreshtokencode"]!.ToJsonString());
        var accessTokenCode = merged["accesstokencode"]!.AsObject();
        Assert.Equal("new-at", (string?)accessTokenCode["access_token"]);
        Assert.Equal(1800, (int?)accessTokenCode["expires_in"]);
        Assert.Equal("https://i", (string?)accessTokenCode["instance_url"]);
        Assert.False(accessTokenCode.ContainsKey("scope"));
    }

    [Fact]
    public void A_refresh_result_without_a_refresh_token_keeps_the_previous_one()
    {
        var merged = AuthDataMerger.ApplyRefreshResult(AuthData(), JsonNode.Parse("""{ "access_token": "new-at", "refresh_token": null }"""));

        Assert.Equal("old-rt", (string?)merged["accesstokencode"]!["refresh_token"]);
    }

    [Fact]
    public void A_rotated_refresh_token_replaces_the_previous_one()
    {
        var merged = AuthDataMerger.ApplyRefreshResult(AuthData(), JsonNode.Parse("""{ "access_token": "new-at", "refresh_token": "new-rt" }"""));

        Assert.Equal("new-rt", (string?)merged["accesstokencode"]!["refresh_token"]);
    }

    [Fact]
    public void The_input_is_never_mutated()
    {
        var authData = AuthData();
        var before = authData.ToJsonString();
        var refresh = JsonNode.Parse("""{ "access_token": "new-at" }""")!;

        var merged = AuthDataMerger.ApplyRefreshResult(authData, refresh);
        merged["accesstokencode"]!["access_token"] = "changed";

        Assert.Equal(before, authData.ToJsonString());
        Assert.Equal("""{"access_token":"new-at"}""", refresh.ToJsonString());
    }

    [Fact]
    public void Without_a_previous_access_token_result_one_is_created()
    {
        var merged = AuthDataMerger.ApplyRefreshResult(new JsonObject(), JsonNode.Parse("""{ "access_token": "at" }"""));

        Assert.Equal("at", (string?)merged["accesstokencode"]!["access_token"]);
    }

    [Theory]
    [InlineData(BlockKinds.AccessToken, "accesstokencode")]
    [InlineData(BlockKinds.TestMe, "testme")]
    [InlineData(BlockKinds.RevokeToken, "revoketokencode")]
    public void Other_block_results_replace_their_namespace(string blockKind, string key)
    {
        var merged = AuthDataMerger.ApplyBlockResult(AuthData(), blockKind, JsonNode.Parse("""{ "id": 7 }"""));

        Assert.Equal("""{"id":7}""", merged[key]!.ToJsonString());
        Assert.Equal("acme", (string?)merged["subdomain"]);
    }

    [Fact]
    public void A_refresh_block_result_goes_through_the_merge()
    {
        var merged = AuthDataMerger.ApplyBlockResult(AuthData(), BlockKinds.RefreshToken, JsonNode.Parse("""{ "access_token": "new-at" }"""));

        Assert.Equal("new-at", (string?)merged["accesstokencode"]!["access_token"]);
        Assert.Equal("old-rt", (string?)merged["accesstokencode"]!["refresh_token"]);
    }
}
