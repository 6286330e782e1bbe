using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class RequestedScopesTests
{
    private static readonly AuthorizationDefinition Authorization = new()
    {
        Scopes = ["read"],
        OptionalScopes = ["write", "admin", "billing"],
        ScopeSeparator = ScopeSeparators.Comma,
    };

    [Fact]
    public void The_required_scopes_come_first_then_the_chosen_optional_ones_in_the_versions_order()
    {
        var (scopes, error) = RequestedScopes.Resolve(Authorization, ["billing", "write", "write"]);

        Assert.Null(error);
        Assert.Equal(["read", "write", "billing"], scopes);
    }

    [Fact]
    public void Choosing_nothing_asks_for_the_required_scopes_only()
    {
        Assert.Equal(["read"], RequestedScopes.Resolve(Authorization, null).Scopes);
        Assert.Equal(["read"], RequestedScopes.Resolve(Authorization, []).Scopes);
    }

    [Theory]
    [InlineData("read")]
    [InlineData("WRITE")]
    [InlineData("write admin")]
    [InlineData("<script>alert(1)</script>")]
    public void A_scope_that_is_not_optional_is_refused_without_echoing_it(string chosen)
    {
        var (scopes, error) = RequestedScopes.Resolve(Authorization, ["write", chosen]);

        Assert.Empty(scopes);
        Assert.NotNull(error);
        Assert.Contains("write, admin, billing", error, StringComparison.Ordinal);
        Assert.DoesNotContain(chosen, error.Replace("write, admin, billing", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_chosen_scopes_are_refused()
    {
        var (_, error) = RequestedScopes.Resolve(Authorization, [.. Enumerable.Repeat("write", RequestedScopes.MaxChosen + 1)]);

        Assert.NotNull(error);
    }

    [Fact]
    public void The_token_responses_scope_is_what_was_granted()
    {
        var granted = RequestedScopes.Granted(Authorization, new JsonObject { ["scope"] = "read write" }, ["read", "write", "admin"]);

        Assert.Equal(["read", "write"], granted);
    }

    [Fact]
    public void Without_a_scope_in_the_token_response_the_requested_scopes_were_granted()
    {
        Assert.Equal(["read", "admin"], RequestedScopes.Granted(Authorization, new JsonObject { ["access_token"] = "t" }, ["read", "admin"]));
        Assert.Equal(["read"], RequestedScopes.Granted(Authorization, new JsonObject { ["scope"] = 42 }, ["read"]));
    }

    [Fact]
    public void A_hostile_granted_scope_list_is_bounded()
    {
        var huge = string.Join(",", Enumerable.Range(0, 500).Select(i => $"s{i}")) + "," + new string('x', 10_000);

        var granted = RequestedScopes.Granted(Authorization, new JsonObject { ["scope"] = huge }, null)!;

        Assert.Equal(RequestedScopes.MaxGranted, granted.Count);
        Assert.All(granted, scope => Assert.True(scope.Length <= RequestedScopes.MaxGrantedLength));
    }
}
