using ViaSocket.Domain.Workspaces;

namespace ViaSocket.Domain.Tests.Workspaces;

public sealed class OAuthClientRulesTests
{
    [Theory]
    [InlineData("crm", null, "crm", "v1", true)]
    [InlineData("crm", null, "crm", "v7", true)]
    [InlineData("crm", "v1", "crm", "v1", true)]
    [InlineData("crm", "v1", "crm", "v2", false)]
    [InlineData("crm", null, "billing", "v1", false)]
    [InlineData("crm", null, "CRM", "v1", false)]
    [InlineData("crm", "v1", "billing", "v1", false)]
    public void A_client_serves_only_its_plugin_and_when_pinned_only_its_version(string clientPlugin, string? clientVersion, string plugin, string version, bool usable) =>
        Assert.Equal(usable, OAuthClientRules.IsUsableFor(clientPlugin, clientVersion, plugin, version));

    [Theory]
    [InlineData("Acme production app")]
    [InlineData("Ünïcode app ✓")]
    public void Plain_names_are_accepted(string name) => Assert.Null(OAuthClientRules.CheckName(name));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("forged\nINFO line")]
    [InlineData("zero\u200Bwidth")]
    public void Names_with_control_or_format_characters_or_nothing_visible_are_refused(string name) => Assert.NotNull(OAuthClientRules.CheckName(name));

    [Fact]
    public void A_name_over_the_limit_is_refused() => Assert.NotNull(OAuthClientRules.CheckName(new string('n', OAuthClientRules.MaxNameLength + 1)));

    [Theory]
    [InlineData("")]
    [InlineData("id with space")]
    [InlineData("id\r\nX-Injected: 1")]
    [InlineData("bidi\u202Eid")]
    public void Client_ids_that_could_break_a_url_or_header_are_refused(string clientId) => Assert.NotNull(OAuthClientRules.CheckClientId(clientId));

    [Fact]
    public void A_provider_style_client_id_is_accepted() => Assert.Null(OAuthClientRules.CheckClientId("1234567890-abc.apps.googleusercontent.com"));

    [Theory]
    [InlineData("short")]
    [InlineData("has a space in it")]
    [InlineData("line\nbreak-secret")]
    public void Secrets_too_short_to_mask_or_with_spaces_or_control_characters_are_refused(string secret)
    {
        var problem = OAuthClientRules.CheckSecret(secret);

        Assert.NotNull(problem);
        Assert.DoesNotContain(secret, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_secret_is_refused() => Assert.NotNull(OAuthClientRules.CheckSecret(null));

    [Fact]
    public void A_provider_issued_secret_is_accepted() => Assert.Null(OAuthClientRules.CheckSecret("GOCSPX-4f9a1b2c3d4e5f60718293a4"));
}
