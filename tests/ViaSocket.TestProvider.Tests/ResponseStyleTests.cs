using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViaSocket.TestProvider.Tests;

public sealed class ResponseStyleTests
{
    [Fact]
    public async Task Expires_in_can_be_sent_as_a_string()
    {
        var tokens = await ConnectAsync(TokenResponseStyle.ExpiresInAsString, TimeSpan.FromSeconds(30));

        Assert.Equal(JsonValueKind.String, tokens["expires_in"]!.GetValueKind());
        Assert.Equal("30", tokens["expires_in"]!.GetValue<string>());
    }

    [Fact]
    public async Task Expires_in_can_be_left_out()
    {
        var tokens = await ConnectAsync(TokenResponseStyle.NoExpiresIn, TimeSpan.FromSeconds(20));

        Assert.False(tokens.ContainsKey("expires_in"));
        Assert.NotNull(tokens["access_token"]);
    }

    [Fact]
    public async Task Tokens_can_be_nested_under_data()
    {
        var response = await ConnectAsync(TokenResponseStyle.Nested, TimeSpan.FromSeconds(20));

        var data = response["data"]!.AsObject();
        Assert.Single(response);
        Assert.Equal(20, data["expires_in"]!.GetValue<long>());
        Assert.NotNull(data["access_token"]);
        Assert.NotNull(data["refresh_token"]);
    }

    [Fact]
    public async Task The_standard_style_uses_the_configured_lifetime_as_a_number()
    {
        var tokens = await ConnectAsync(TokenResponseStyle.Standard, TimeSpan.FromSeconds(30));

        Assert.Equal(30, tokens["expires_in"]!.GetValue<long>());
    }

    private static async Task<JsonObject> ConnectAsync(TokenResponseStyle style, TimeSpan lifetime)
    {
        await using var driver = await OAuthClientDriver.StartAsync(
            OAuthClientDriver.NewClient() with { TokenResponseStyle = style, AccessTokenLifetime = lifetime });
        return await driver.ConnectAsync();
    }
}
