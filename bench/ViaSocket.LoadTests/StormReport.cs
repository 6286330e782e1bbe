using System.Globalization;
using System.Text;

namespace ViaSocket.LoadTests;

/// <summary>The P4 and P5 sections of the suite report.</summary>
internal static class StormReport
{
    public static string StormSection(StormResult r)
    {
        var s = r.Storm;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Refresh storm ({r.Connections:N0} connections, PostgreSQL persistence, loopback token server)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Connections were created through the grain API (start, consent at the provider, callback state consumed, complete: code exchange + Test Me, persisted) with {r.SeedParallelism} in parallel, after a timing probe of {r.ProbeConnections:N0} connections ({r.ProbePerSecond:N0}/s) that stay out of the storm. While seeding, the provider's access-token lifetime was set so that every connection's refresh falls due in one {r.SpreadSeconds:0}-s window after seeding, spread evenly, tokens expiring {r.RefreshMarginSeconds} s after that (`tokenExpiry.refreshMarginSeconds`). Refreshes are fired by the connections' reminders; the provider rotates refresh tokens. `ViaSocket:Refresh:MaxConcurrentPerVersion` = {r.RefreshConcurrencyLimit}. PostgreSQL is the tests' throwaway local instance, run with `fsync = off`: on a durable disk every write also waits for its WAL flush.");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---:|");
        Row(text, "seeding", $"{r.SeedSeconds:0.0} s ({r.Connections / r.SeedSeconds:N0} connections/s)");
        Row(text, "refresh due times: first to last", $"{r.DueWindowSeconds:0.0} s ({r.DueInPlannedWindow:N0} of {r.Connections:N0} inside the planned window)");
        Row(text, "window opened after the planned start", $"{r.WindowOpenedLateSeconds:0.0} s");
        Row(text, "offered rate (connections / spread)", $"{r.Connections / Math.Max(r.DueWindowSeconds, 1):N0}/s");
        Row(text, "refreshed / not refreshed", $"{s.Refreshed:N0} / {s.NotRefreshed:N0}");
        Row(text, "drain time (first due to last refreshed)", $"{s.DrainSeconds:0.0} s");
        Row(text, $"refreshes/s over the drain time (goal >= {BenchReport.RefreshesPerSecondGoal:N0})", $"{s.RefreshesPerSecond:N0}");
        Row(text, "peak refreshes in one second", $"{s.PeakRefreshesPerSecond:N0}");
        Row(text, "refresh lag before expiry: min / p1 / p50 / p99 / max", Seconds(s.LagSeconds));
        Row(text, "delay after falling due: min / p1 / p50 / p99 / max", Seconds(s.DelaySeconds));
        Row(text, "refreshed after expiry", $"{s.RefreshedAfterExpiry:N0}");
        Row(text, "statuses after the storm", string.Join(", ", s.Statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}")));
        Row(text, "cores while draining: this process (silo, front-end, token server, readers) / PostgreSQL / machine", $"{r.Cpu.ProcessCores:0.00} / {r.Cpu.PostgresCores:0.00} / {r.Cpu.MachineCores:0.00} of {Environment.ProcessorCount}");
        Row(text, "CPU per refresh: this process / PostgreSQL", $"{r.Cpu.ProcessMsPerRefresh:0.00} / {r.Cpu.PostgresMsPerRefresh:0.00} ms");
        Row(text, "refresh requests at the provider / failed", $"{r.ProviderRefreshRequests:N0} / {r.ProviderRefreshFailures:N0}");
        Row(text, "refresh-token reuse seen by the provider", $"{r.RefreshTokenReuses:N0}");
        Row(text, "provider peak concurrent token requests / configured limit", $"{r.PeakProviderConcurrency} / {r.RefreshConcurrencyLimit}");
        Row(text, $"credential reads during the storm ({r.Readers.Readers} HTTP readers, paced): ok / errors", $"{r.Readers.Ok:N0} / {r.Readers.Errors:N0}");
        Row(text, "credential read answer time: min / p1 / p50 / p99 / max", Milliseconds(r.Readers.AnswerSeconds));
        Row(text, "served after expiry: expired when asked / refused by the provider when answered (goal 0)", $"{r.Readers.ExpiredAtRequest:N0} / {r.Readers.RejectedByProvider:N0}");
        if (r.Readers.FirstError is { } error)
        {
            Row(text, "first reader error", $"`{error}`");
        }

        return text.ToString();
    }

    public static string MemorySection(StormResult r)
    {
        var m = r.Memory;
        var text = new StringBuilder();
        text.AppendLine("## Memory per active idle connection");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Goal: <= {BenchReport.BytesPerConnectionGoal:N0} bytes each. Same process and population as the storm: every connection grain deactivated ({m.LeftActiveBeforeEmpty:N0} left active), then activated level by level by one credentials read each; after a full compacting GC, growth over the empty measurement / connections. Empty: managed {Mib(m.Empty.ManagedBytes)}, GC heap {Mib(m.Empty.HeapBytes)}, RSS {Mib(m.Empty.RssBytes)}.");
        text.AppendLine();
        text.AppendLine("| active connections | activations counted | managed delta | GC heap delta | RSS delta | managed B / connection | GC heap B / connection | RSS B / connection | goal |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
        foreach (var l in m.Levels)
        {
            var met = l.ManagedPerConnection <= BenchReport.BytesPerConnectionGoal && l.RssPerConnection <= BenchReport.BytesPerConnectionGoal;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {l.Active:N0} | {l.ConnectionActivations:N0} | {Mib(l.ManagedDelta)} | {Mib(l.HeapDelta)} | {Mib(l.RssDelta)} | {l.ManagedPerConnection:N0} | {l.HeapPerConnection:N0} | {l.RssPerConnection:N0} | {(met ? "met" : "missed")} |");
        }

        var b = m.Baseline;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {b.Active:N0} empty baseline grains | {b.ConnectionActivations:N0} | {Mib(b.ManagedDelta)} | {Mib(b.HeapDelta)} | {Mib(b.RssDelta)} | {b.ManagedPerConnection:N0} | {b.HeapPerConnection:N0} | {b.RssPerConnection:N0} | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"The last row is the floor Orleans sets: activations of a grain with no state and no reminder, under the same keys, after the connections were collected again. A connection at {m.Levels[^1].Active:N0} holds {m.Levels[^1].ManagedPerConnection - b.ManagedPerConnection:N0} managed bytes more than that (its state, authData, cached credentials, reminder).");

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, string value) => text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");

    private static string Seconds(Percentiles p) => string.Create(CultureInfo.InvariantCulture, $"{p.Min:0.0} / {p.P1:0.0} / {p.P50:0.0} / {p.P99:0.0} / {p.Max:0.0} s");

    private static string Milliseconds(Percentiles p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Min * 1000:0.0} / {p.P1 * 1000:0.0} / {p.P50 * 1000:0.0} / {p.P99 * 1000:0.0} / {p.Max * 1000:0.0} ms");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB");
}
