using System.Net;
using ViaSocket.Grains;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Server.Ui;

namespace ViaSocket.Server.Tests.Ui;

/// <summary>A UI session found expired deletes its row (on a fake clock, instead of waiting 12 hours).</summary>
public sealed class UiSessionExpiryTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    [Fact]
    public async Task A_session_used_after_it_expired_is_refused_and_its_row_deleted()
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.Host.BaseAddress };
        var before = await UiSessionRows.CountAsync(fixture);
        var cookie = await UiSessionTests.SessionCookieAsync(browser, fixture.Host.ApiKey);
        var signedIn = await UiSessionRows.CountAsync(fixture);

        fixture.Time.Advance(UiSessionCookie.Lifetime + TimeSpan.FromMinutes(1));
        using var response = await UiSessionTests.UiApiCallAsync(browser, cookie);

        Assert.Equal(before + 1, signedIn);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await UiSessionRows.CountAsync(fixture));
    }
}

/// <summary>UI session rows in the service's grain storage, counted straight from PostgreSQL.</summary>
internal static class UiSessionRows
{
    public static async Task<long> CountAsync(ServiceFixture fixture) =>
        (long)(await fixture.ExecuteSqlAsync("SELECT count(*) FROM orleans_storage WHERE state_name = @state", ("state", StorageNames.UiSessionState)))!;
}
