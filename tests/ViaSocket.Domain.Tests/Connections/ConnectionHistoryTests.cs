using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class ConnectionHistoryTests
{
    private sealed record Entry(string Kind, int At);

    private static void Record(List<Entry> history, string kind, int at, bool routine = false) =>
        ConnectionHistory.Record(history, new Entry(kind, at), e => e.Kind, routine);

    [Fact]
    public void A_run_of_routine_entries_keeps_only_its_latest()
    {
        var history = new List<Entry>();
        Record(history, "connected", 1);
        Record(history, "refreshed", 2, routine: true);
        Record(history, "refreshed", 3, routine: true);
        Record(history, "refreshed", 4, routine: true);

        Assert.Equal([new Entry("connected", 1), new Entry("refreshed", 4)], history);
    }

    [Fact]
    public void A_routine_entry_after_another_kind_starts_a_new_run()
    {
        var history = new List<Entry>();
        Record(history, "refreshed", 1, routine: true);
        Record(history, "tested", 2, routine: true);
        Record(history, "refreshed", 3, routine: true);

        Assert.Equal(["refreshed", "tested", "refreshed"], history.Select(e => e.Kind));
    }

    [Fact]
    public void Repeated_entries_that_are_not_routine_are_all_kept()
    {
        var history = new List<Entry>();
        Record(history, "refresh_failed", 1);
        Record(history, "refresh_failed", 2);

        Assert.Equal([1, 2], history.Select(e => e.At));
    }

    [Fact]
    public void Beyond_the_cap_the_oldest_entries_are_dropped()
    {
        var history = new List<Entry>();
        for (var i = 0; i < ConnectionHistory.MaxEntries + 5; i++)
        {
            Record(history, "refresh_failed", i);
        }

        Assert.Equal(ConnectionHistory.MaxEntries, history.Count);
        Assert.Equal(5, history[0].At);
        Assert.Equal(ConnectionHistory.MaxEntries + 4, history[^1].At);
    }
}
