using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class ResponseBodyMatchTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> SlackExpired = new() { ["ok"] = ["false"], ["error"] = ["token_expired"] };

    [Theory]
    [InlineData(200, """{"ok":false,"error":"token_expired"}""", true)]
    [InlineData(200, """{"ok":true,"channels":[]}""", false)]
    [InlineData(200, """{"ok":false,"error":"channel_not_found"}""", false)]
    [InlineData(500, """{"ok":false,"error":"token_expired"}""", false)]
    [InlineData(200, "\"ok=false&error=token_expired\"", true)]
    [InlineData(200, "\"not a document\"", false)]
    public void A_rule_on_status_and_body_holds_only_when_both_do(int status, string body, bool expected)
    {
        var document = ResponseBodyMatch.AsDocument(JsonNode.Parse(body));

        Assert.Equal(expected, ResponseBodyMatch.RefreshOnHolds(status, document, [200], SlackExpired));
    }

    [Fact]
    public void A_rule_without_statuses_matches_the_body_at_any_status()
    {
        var document = ResponseBodyMatch.AsDocument(JsonNode.Parse("""{"error":{"code":"TOKEN_EXPIRED"}}"""));
        var match = new Dictionary<string, IReadOnlyList<string>> { ["error.code"] = ["TOKEN_EXPIRED"] };

        Assert.True(ResponseBodyMatch.RefreshOnHolds(403, document, [], match));
        Assert.True(ResponseBodyMatch.RefreshOnHolds(400, document, [], match));
    }

    [Fact]
    public void A_rule_without_a_body_match_is_a_status_list()
    {
        Assert.True(ResponseBodyMatch.RefreshOnHolds(403, null, [403], new Dictionary<string, IReadOnlyList<string>>()));
        Assert.False(ResponseBodyMatch.RefreshOnHolds(404, null, [403], new Dictionary<string, IReadOnlyList<string>>()));
    }

    [Fact]
    public void A_rule_naming_nothing_never_holds()
    {
        // Validation refuses such a rule; were one stored, it must not take every response as an expiry.
        Assert.False(ResponseBodyMatch.RefreshOnHolds(200, new JsonObject(), [], new Dictionary<string, IReadOnlyList<string>>()));
    }

    [Fact]
    public void Numbers_and_booleans_compare_as_json_writes_them()
    {
        var document = ResponseBodyMatch.AsDocument(JsonNode.Parse("""{"code":401,"expired":true}"""));

        Assert.True(ResponseBodyMatch.Holds(document, new Dictionary<string, IReadOnlyList<string>> { ["code"] = ["401"], ["expired"] = ["true"] }));
        Assert.False(ResponseBodyMatch.Holds(document, new Dictionary<string, IReadOnlyList<string>> { ["code"] = ["401.0"] }));
    }
}
