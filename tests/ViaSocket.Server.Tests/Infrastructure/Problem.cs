using System.Net;
using System.Text.Json.Nodes;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>Assertions on RFC 9457 problem responses.</summary>
public static class Problem
{
    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and <paramref name="code"/>; returns the document.</summary>
    public static async Task<JsonNode> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal((int)status, (int?)problem["status"]);
        return problem;
    }

    /// <summary>Asserts a 503 problem with <paramref name="code"/> that says when to retry (<c>Retry-After</c>, whole seconds); returns the wait.</summary>
    public static async Task<TimeSpan> AssertRetryLaterAsync(HttpResponseMessage response, string code)
    {
        await AssertAsync(response, HttpStatusCode.ServiceUnavailable, code);
        var seconds = response.Headers.RetryAfter?.Delta;
        Assert.True(seconds is { TotalSeconds: >= 1 }, $"Expected a Retry-After of at least 1 s, got '{response.Headers.RetryAfter}'.");
        return seconds!.Value;
    }
}
