using System.Text;
using ViaSocket.Connections;
using ViaSocket.Grains.Connections;

namespace ViaSocket.Grains.Tests.Connections;

/// <summary>What a connection activation does to a state just read from storage.</summary>
public sealed class ConnectionStateLoadedTests
{
    [Fact]
    public void Values_many_connections_repeat_become_one_instance_across_activations()
    {
        var shared = new SharedStrings();
        var first = Deserialized("owner-1");
        var second = Deserialized("owner-2");
        Assert.NotSame(first.PluginId, second.PluginId);

        first.Loaded(shared);
        second.Loaded(shared);

        Assert.Same(first.WorkspaceId, second.WorkspaceId);
        Assert.Same(first.PluginId, second.PluginId);
        Assert.Same(first.VersionId, second.VersionId);
        Assert.Same(first.RedirectUri, second.RedirectUri);
        Assert.Same(first.History[1].Kind, second.History[1].Kind);
        Assert.Same(first.History[1].Detail, second.History[1].Detail);

        // Values and order are unchanged; per-connection values are not pooled.
        Assert.Equal(["created", "refresh_failed"], first.History.Select(e => e.Kind));
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 10, 1, 0, TimeSpan.Zero), first.History[1].At);
        Assert.Equal(7, shared.Count);
    }

    [Fact]
    public void A_state_written_before_authData_was_bytes_is_moved_to_the_current_layout()
    {
        var state = Deserialized("owner-legacy");
        state.AuthData = null;
        state.LegacyAuthDataJson = """{"access_token":"a"}""";

        state.Loaded(new SharedStrings());

        Assert.Null(state.LegacyAuthDataJson);
        Assert.Equal("""{"access_token":"a"}""", Encoding.UTF8.GetString(state.AuthData!));
    }

    [Fact]
    public void Past_its_bound_the_pool_hands_values_back_unshared()
    {
        var shared = new SharedStrings();
        for (var i = 0; i < SharedStrings.MaxValues; i++)
        {
            shared.Share("value-" + i);
        }

        var unpooled = Copy("one-more");

        Assert.Same(unpooled, shared.Share(unpooled));
        Assert.Equal(SharedStrings.MaxValues, shared.Count);
        Assert.Same(shared.Share(Copy("value-7")), shared.Share(Copy("value-7")));
    }

    /// <summary>A state as the storage deserializer builds it: every string its own instance.</summary>
    private static ConnectionState Deserialized(string ownerId) => new()
    {
        WorkspaceId = Copy("default"),
        OwnerId = ownerId,
        PluginId = Copy("crm"),
        VersionId = Copy("v1"),
        RedirectUri = Copy("https://viasocket.example/oauth/callback"),
        Status = ConnectionStatus.Degraded,
        AuthData = Encoding.UTF8.GetBytes("""{"access_token":"a"}"""),
        History =
        [
            new ConnectionEvent(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero), Copy("created"), null),
            new ConnectionEvent(new DateTimeOffset(2026, 12, 4, 10, 1, 0, TimeSpan.Zero), Copy("refresh_failed"), Copy("block.http_status")),
        ],
    };

    private static string Copy(string value) => new(value.AsSpan());
}
