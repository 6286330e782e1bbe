using System.Text.Json.Nodes;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Tests.Tokens;

public sealed class TokenResponseTests
{
    [Fact]
    public void The_well_known_members_are_read()
    {
        var response = TokenResponse.Parse(JsonNode.Parse("""
            { "access_token": "at", "refresh_token": "rt", "expires_in": "3599", "token_type": "Bearer", "scope": "a b", "id_token": "jwt" }
            """));

        Assert.Equal("at", response.AccessToken);
        Assert.Equal("rt", response.RefreshToken);
        Assert.Equal(3599, response.ExpiresInSeconds);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal("a b", response.Scope);
        Assert.Equal("jwt", response.IdToken);
        Assert.Null(response.Error);
    }

    [Fact]
    public void Missing_or_mistyped_members_are_null()
    {
        var response = TokenResponse.Parse(JsonNode.Parse("""{ "data": { "access_token": "nested" }, "expires_in": true, "error": "invalid_grant" }"""));

        Assert.Null(response.AccessToken);
        Assert.Null(response.ExpiresInSeconds);
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public void A_non_object_result_has_no_members()
    {
        Assert.Equal(new TokenResponse(), TokenResponse.Parse(JsonValue.Create("text")));
    }

    [Fact]
    public void Printing_a_token_response_redacts_the_tokens()
    {
        var text = TokenResponse.Parse(JsonNode.Parse("""{ "access_token": "secret-at", "refresh_token": "secret-rt" }""")).ToString();

        Assert.DoesNotContain("secret", text);
        Assert.Contains("(redacted)", text);
    }
}
