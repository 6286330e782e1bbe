using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace ViaSocket.Persistence.Tests.OrleansProviders;

[Collection(SiloCollection.Name)]
public sealed class MembershipTableContractTests(SiloFixture silo)
{
    private static readonly DateTime Started = new(2030, 1, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_running_silo_has_joined_its_cluster_as_active()
    {
        var table = await CreateInitializedTableAsync(SiloFixture.SiloClusterId);

        var data = await table.ReadAllAsync();

        var member = Assert.Single(data.Members);
        Assert.Equal(SiloStatus.Active, member.Item1.Status);
    }

    [Fact]
    public async Task A_new_cluster_starts_with_an_empty_table_at_version_zero()
    {
        var table = await CreateInitializedTableAsync();

        var data = await table.ReadAllAsync();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task A_joining_silo_is_read_back_by_read_all_and_read_row()
    {
        var table = await CreateInitializedTableAsync();
        var entry = Entry(generation: 1);

        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var all = await table.ReadAllAsync();
        var row = Assert.Single((await table.ReadRowAsync(entry.SiloAddress)).Members).Item1;
        Assert.Equal(1, all.Version.Version);
        Assert.Equal(entry.SiloAddress, Assert.Single(all.Members).Item1.SiloAddress);
        Assert.Equal(entry.SiloName, row.SiloName);
        Assert.Equal(entry.HostName, row.HostName);
        Assert.Equal(entry.ProxyPort, row.ProxyPort);
        Assert.Equal(entry.StartTime, row.StartTime);
        Assert.Equal(entry.IAmAliveTime, row.IAmAliveTime);
    }

    [Fact]
    public async Task Inserting_with_a_stale_table_version_is_refused()
    {
        var table = await CreateInitializedTableAsync();
        var stale = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(Entry(generation: 1), stale.Next()));

        Assert.False(await table.InsertRowAsync(Entry(generation: 2), stale.Next()));

        Assert.Single((await table.ReadAllAsync()).Members);
    }

    [Fact]
    public async Task Updating_with_a_stale_version_is_refused_and_with_the_current_one_succeeds()
    {
        var table = await CreateInitializedTableAsync();
        var entry = Entry(generation: 1);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var (current, etag) = Assert.Single((await table.ReadAllAsync()).Members);
        var currentVersion = (await table.ReadAllAsync()).Version;

        current.Status = SiloStatus.Dead;
        var staleVersion = new TableVersion(currentVersion.Version - 1, (currentVersion.Version - 1).ToString(CultureInfo.InvariantCulture));
        Assert.False(await table.UpdateRowAsync(current, staleVersion.VersionEtag, staleVersion.Next()));
        Assert.True(await table.UpdateRowAsync(current, etag, currentVersion.Next()));

        var updated = Assert.Single((await table.ReadAllAsync()).Members).Item1;
        Assert.Equal(SiloStatus.Dead, updated.Status);
    }

    [Fact]
    public async Task I_am_alive_updates_only_the_heartbeat_and_keeps_the_version()
    {
        var table = await CreateInitializedTableAsync();
        var entry = Entry(generation: 1);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());

        entry.IAmAliveTime = Started.AddMinutes(3);
        await table.UpdateIAmAliveAsync(entry);

        var data = await table.ReadAllAsync();
        Assert.Equal(Started.AddMinutes(3), Assert.Single(data.Members).Item1.IAmAliveTime);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task Gateways_are_the_active_silos_with_a_proxy_port()
    {
        var clusterId = "gateways-" + Guid.NewGuid().ToString("N");
        var table = await CreateInitializedTableAsync(clusterId);
        var active = Entry(generation: 1);
        var dead = Entry(generation: 2, port: 11112);
        await table.InsertRowAsync(active, (await table.ReadAllAsync()).Version.Next());
        dead.Status = SiloStatus.Dead;
        await table.InsertRowAsync(dead, (await table.ReadAllAsync()).Version.Next());
        var gateways = silo.Create<AdoNetGatewayListProvider>(
            Options.Create(new AdoNetClusteringClientOptions { Invariant = SiloFixture.Invariant, ConnectionString = silo.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = SiloFixture.ServiceId }));
        await gateways.InitializeGatewayListProviderAsync();

        var uris = await gateways.GetGatewaysAsync();

        var gateway = Assert.Single(uris);
        Assert.Equal(active.ProxyPort, gateway.Port);
    }

    [Fact]
    public async Task Cleanup_removes_dead_silos_older_than_the_cutoff_and_keeps_the_rest()
    {
        var table = await CreateInitializedTableAsync();
        var deadOld = Entry(generation: 1);
        deadOld.Status = SiloStatus.Dead;
        var deadRecent = Entry(generation: 2);
        deadRecent.Status = SiloStatus.Dead;
        deadRecent.IAmAliveTime = Started.AddHours(2);
        var activeOld = Entry(generation: 3);
        foreach (var entry in new[] { deadOld, deadRecent, activeOld })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Started.AddHours(1)));

        var remaining = (await table.ReadAllAsync()).Members.Select(member => member.Item1.SiloAddress.Generation).Order();
        Assert.Equal([2, 3], remaining);
    }

    [Fact]
    public async Task Deleting_the_cluster_removes_its_rows()
    {
        var clusterId = "deleted-" + Guid.NewGuid().ToString("N");
        var table = await CreateInitializedTableAsync(clusterId);
        await table.InsertRowAsync(Entry(generation: 1), (await table.ReadAllAsync()).Version.Next());

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        var data = await table.ReadAllAsync();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    private AdoNetClusteringTable CreateTable(string clusterId) =>
        silo.Create<AdoNetClusteringTable>(
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = SiloFixture.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = SiloFixture.Invariant, ConnectionString = silo.ConnectionString }));

    private async Task<AdoNetClusteringTable> CreateInitializedTableAsync(string? clusterId = null)
    {
        var table = CreateTable(clusterId ?? "membership-" + Guid.NewGuid().ToString("N"));
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static MembershipEntry Entry(int generation, int port = 11111) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, generation),
        SiloName = $"silo-{generation}",
        HostName = "contract-host",
        Status = SiloStatus.Active,
        ProxyPort = 30000 + generation,
        StartTime = Started,
        IAmAliveTime = Started,
        SuspectTimes = [],
    };
}
