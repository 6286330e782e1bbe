namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// Tests that read this whole process (its memory, its environment, its child processes) run after every other
/// test, one at a time, so no other test's allocations or runners blur what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Isolation: runs alone";
}
