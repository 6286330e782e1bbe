using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;

namespace ViaSocket.LoadTests;

/// <summary>
/// Creates active connections in-process through the grain API, the path the HTTP start and callback endpoints take
/// minus HTTP: <see cref="IConnectionGrain.StartAuthorizationAsync"/>, the user's consent at the loopback provider,
/// the single-use state consumed from <see cref="IPendingAuthorizationGrain"/>, then
/// <see cref="IConnectionGrain.CompleteAuthorizationAsync"/> (code exchange at the provider, Test Me, persisted).
/// </summary>
internal sealed class StormSeeder(BenchService service, int parallelism)
{
    private readonly IGrainFactory grains = service.App.Services.GetRequiredService<IGrainFactory>();
    private int completed;

    /// <summary>Connections completed by the running <see cref="SeedAsync"/> so far.</summary>
    public int Completed => Volatile.Read(ref completed);

    public async Task<IReadOnlyList<string>> SeedAsync(int count, string ownerPrefix, CancellationToken cancellationToken)
    {
        Volatile.Write(ref completed, 0);
        var ids = new string[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                ids[i] = await ConnectAsync($"{ownerPrefix}-{i}", ct);
                Interlocked.Increment(ref completed);
            });
        return ids;
    }

    private async Task<string> ConnectAsync(string ownerId, CancellationToken cancellationToken)
    {
        var connectionId = "conn_" + Guid.NewGuid().ToString("N");
        var connection = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(BenchService.WorkspaceId, connectionId));
        var started = await connection.StartAuthorizationAsync(new StartAuthorization(
            BenchService.WorkspaceId, BenchConnections.PluginId, BenchConnections.VersionId, ownerId, new Dictionary<string, string>(),
            service.CallbackUrl.AbsoluteUri, ReturnUrl: null));
        if (!started.Succeeded)
        {
            throw new InvalidOperationException($"Starting a connection failed: {started.Error!.Code}.");
        }

        var callback = await service.Provider.LoginAsync(new Uri(started.AuthorizeUrl!), cancellationToken: cancellationToken);
        var query = QueryHelpers.ParseQuery(callback.Query);
        var state = query.GetValueOrDefault("state").ToString();
        var pending = await grains.GetGrain<IPendingAuthorizationGrain>(OAuthSecrets.StateKey(state)).ConsumeAsync()
            ?? throw new InvalidOperationException("The provider's callback named an unknown or used state.");
        var parameters = query.Where(q => q.Key != "state").ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var outcome = await connection.CompleteAuthorizationAsync(new AuthorizationCallback(pending.AttemptId, pending.CodeVerifier, parameters));
        return outcome.Succeeded ? connectionId : throw new InvalidOperationException($"Completing a connection failed: {outcome.Error!.Code}.");
    }
}
