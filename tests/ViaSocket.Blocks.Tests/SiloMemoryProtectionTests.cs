using ViaSocket.Blocks.Isolation;

namespace ViaSocket.Blocks.Tests;

public sealed class SiloMemoryProtectionTests
{
    [Fact]
    public async Task A_process_that_starts_runners_is_not_dumpable_so_a_runner_of_its_user_cannot_read_its_memory()
    {
        using var harness = new BlockRunnerHarness(ownPool: new BlockIsolationOptions { ConnectionRunners = 1, Prestart = false });

        var result = await harness.RunCodeAsync("return { ran: true };");

        Assert.Null(result.Failure);
        Assert.False(SiloMemoryProtection.IsDumpable());
    }
}
