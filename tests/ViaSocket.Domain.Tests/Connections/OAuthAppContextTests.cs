using System.Text.Json.Nodes;
using System.Web;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Tests.Connections;

/// <summary>A workspace's own OAuth client replaces the version's in the context and in the authorize URL.</summary>
public sealed class OAuthAppContextTests
{
    private static readonly CompiledAuthVersion Version = CompiledAuthVersion.Compile(TestDefinitions.Valid(), "r1");

    [Fact]
    public void Without_a_workspace_client_the_context_carries_the_versions_own()
    {
        var context = ConnectionContext.Create(Version, Fields(), "https://svc.example/oauth/callback", null);

        Assert.Equal("client-1", (string?)context[ContextKeys.ClientId]);
        Assert.Equal("s3cret-of-the-client", (string?)context[ContextKeys.ClientSecret]);
    }

    [Fact]
    public void A_workspace_client_replaces_the_versions_id_and_secret_in_the_context()
    {
        var context = ConnectionContext.Create(Version, Fields(), "https://svc.example/oauth/callback", null, app: new OAuthApp("acme-app", "acme-secret-9f8e7d"));

        Assert.Equal("acme-app", (string?)context[ContextKeys.ClientId]);
        Assert.Equal("acme-secret-9f8e7d", (string?)context[ContextKeys.ClientSecret]);
    }

    [Fact]
    public void The_authorize_url_names_the_workspace_client_and_never_a_secret()
    {
        var app = new OAuthApp("acme-app", "acme-secret-9f8e7d");
        var context = ConnectionContext.Create(Version, Fields(), "https://svc.example/oauth/callback", null, app: app);

        var url = AuthorizeUrlBuilder.Build(Version, new AuthorizeRequest(context, "https://svc.example/oauth/callback", "state-1", null));

        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("acme-app", query["client_id"]);
        Assert.DoesNotContain("acme-secret", url.AbsoluteUri, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-of-the-client", url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_never_prints_its_secret() => Assert.DoesNotContain("acme-secret", new OAuthApp("acme-app", "acme-secret-9f8e7d").ToString(), StringComparison.Ordinal);

    private static JsonObject Fields() => new() { ["subdomain"] = "acme", ["region"] = "us" };
}
