using System.ComponentModel.DataAnnotations;
using ViaSocket.Blocks.Isolation;

namespace ViaSocket.Blocks.Tests;

public sealed class BlockIsolationOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Problems(new BlockIsolationOptions()));

    [Fact]
    public void A_data_limit_the_heap_ceiling_would_not_fit_under_is_refused_naming_the_setting()
    {
        var problems = Problems(new BlockIsolationOptions { HeapLimitMegabytes = 512, DataLimitMegabytes = 600 });

        var problem = Assert.Single(problems);
        Assert.Contains(nameof(BlockIsolationOptions.DataLimitMegabytes), problem.MemberNames);
    }

    [Theory]
    [InlineData(nameof(BlockIsolationOptions.ConnectionRunners))]
    [InlineData(nameof(BlockIsolationOptions.TestRunRunners))]
    [InlineData(nameof(BlockIsolationOptions.MaxQueuedRuns))]
    [InlineData(nameof(BlockIsolationOptions.MaxQueuedTestRunsPerWorkspace))]
    [InlineData(nameof(BlockIsolationOptions.MaxRunsPerRunner))]
    public void A_count_of_zero_is_refused(string setting)
    {
        var options = new BlockIsolationOptions();
        typeof(BlockIsolationOptions).GetProperty(setting)!.SetValue(options, 0);

        Assert.Contains(Problems(options), problem => problem.MemberNames.Contains(setting));
    }

    [Fact]
    public void A_start_timeout_of_zero_is_refused() =>
        Assert.Contains(Problems(new BlockIsolationOptions { StartTimeout = TimeSpan.Zero }), problem => problem.MemberNames.Contains(nameof(BlockIsolationOptions.StartTimeout)));

    private static List<ValidationResult> Problems(BlockIsolationOptions options)
    {
        var problems = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true);
        return problems;
    }
}
