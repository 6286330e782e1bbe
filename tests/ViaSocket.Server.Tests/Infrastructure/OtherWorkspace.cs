using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>An API client of another workspace than the bootstrap key's, for isolation tests.</summary>
public static class OtherWorkspace
{
    /// <summary>Creates a key of <paramref name="workspaceId"/> with <paramref name="scopes"/> (every workspace scope when null) and a client using it.</summary>
    public static async Task<HttpClient> ClientAsync(ViaSocketTestHost host, string workspaceId, IReadOnlyList<string>? scopes = null)
    {
        var key = ApiKey.Generate();
        Assert.True(await host.Grains.GetGrain<IApiKeyGrain>(key.KeyId)
            .CreateAsync(new ApiKeyRegistration(workspaceId, key.SecretHash(), scopes ?? ApiKeyScopes.All, "isolation test")));
        return host.CreateClient(key.Reveal());
    }
}
