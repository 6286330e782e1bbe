using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ViaSocket.Connections;
using ViaSocket.Grains;
using ViaSocket.Grains.Connections;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>A connection's row read and written straight through the service's grain storage, behind the activation's back.</summary>
internal static class StoredConnectionState
{
    public static async Task<GrainState<ConnectionState>> ReadAsync(ServiceFixture fixture, string connectionId)
    {
        var stored = new GrainState<ConnectionState>(new ConnectionState());
        await Storage(fixture).ReadStateAsync(StorageNames.ConnectionState, GrainIdOf(fixture, connectionId), stored);
        return stored;
    }

    /// <summary>Writes <paramref name="stored"/> back; its etag must be the current one, as read.</summary>
    public static Task WriteAsync(ServiceFixture fixture, string connectionId, GrainState<ConnectionState> stored) =>
        Storage(fixture).WriteStateAsync(StorageNames.ConnectionState, GrainIdOf(fixture, connectionId), stored);

    private static IGrainStorage Storage(ServiceFixture fixture) => fixture.Host.App.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);

    private static GrainId GrainIdOf(ServiceFixture fixture, string connectionId) =>
        fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId)).GetGrainId();
}
