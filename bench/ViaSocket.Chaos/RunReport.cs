using System.Globalization;
using System.Text;
using ViaSocket.Domain.Connections;
using ViaSocket.LoadTests;

namespace ViaSocket.Chaos;

/// <summary>The markdown written to <c>bench/results/&lt;date&gt;-&lt;mode&gt;[-short].md</c>.</summary>
internal static class RunReport
{
    public static string Write(string directory, string commandLine, MachineDescription before, MachineDescription after, RunOutcome run)
    {
        var s = run.Settings;
        var chaos = s.Mode == RunSettings.ChaosMode;
        var text = new StringBuilder();
        Line(text, $"# {(chaos ? "Chaos run: kill -9 of silos under load" : "Provider outage run")}{(s.Short ? " (short variant)" : string.Empty)}");
        Line(text);
        Line(text, $"Measured {TimeProvider.System.GetLocalNow():yyyy-MM-dd HH:mm zzz} with:");
        Line(text);
        Line(text, "```");
        Line(text, commandLine);
        Line(text, "```");
        Line(text);
        Line(text, "| machine | |");
        Line(text, "|---|---|");
        Line(text, $"| source | {before.SourceRevision} |");
        Line(text, $"| nproc | {before.ProcessorCount} |");
        Line(text, $"| CPU | {before.CpuModel} |");
        Line(text, $"| dotnet --version | {before.DotnetSdk} |");
        Line(text, $"| runtime | {before.Runtime} |");
        Line(text, $"| OS | {before.Os} |");
        Line(text, $"| /proc/loadavg before / after | {before.LoadAverage} / {after.LoadAverage} |");
        Line(text);
        Line(text, "Everything runs on this one machine on 127.0.0.1: PostgreSQL, the loopback OAuth provider and the readers (this process), and the service processes started by `scripts/cluster.sh`.");
        Line(text);
        Settings(text, run);
        Results(text, run);
        Failures(text, run);
        LostAtKills(text, run);
        Timeline(text, run);
        Definitions(text, run);

        Directory.CreateDirectory(directory);
        var name = $"{TimeProvider.System.GetLocalNow():yyyy-MM-dd}-{s.Mode}{(s.Short ? "-short" : string.Empty)}";
        var path = Path.Combine(directory, name + ".md");
        File.WriteAllText(path, text.ToString());
        WriteSamples(Path.Combine(directory, name + "-directory.csv"), run.Samples);
        return path;
    }

    private static void Settings(StringBuilder text, RunOutcome run)
    {
        var s = run.Settings;
        Line(text, "## Setup");
        Line(text);
        Line(text, "| setting | value |");
        Line(text, "|---|---|");
        Line(text, $"| cluster | {s.Silos} silo processes + 1 front-end-only process (Orleans client), one PostgreSQL (max_connections 200; each process's pool capped at {s.PoolSize}); at most {s.RefreshConcurrency} refreshes in progress per silo (`ViaSocket:Refresh:MaxConcurrentPerVersion`) |");
        Line(text, $"| connections | {s.Connections:N0}, created through the front-end in {run.CreationTime.TotalSeconds:0} s ({s.CreateParallelism} at a time) while the provider issued {Harness.CreationTokenLifetime.TotalHours:0}-hour tokens; then moved onto the run's tokens by an on-demand refresh of each in {run.ShortTokenSwitchTime.TotalSeconds:0} s |");
        Line(text, $"| access tokens | {s.TokenLifetime.TotalSeconds:0} s; every refresh rotates the refresh token; a reused one revokes the grant |");
        Line(text, $"| readers | {s.Readers} concurrent, HTTP `GET /v1/connections/{{id}}/credentials` on the front-end, random connection, no pause; up to {CredentialReaders.MaxAttempts} attempts {CredentialReaders.RetryDelay.TotalMilliseconds:0} ms apart, {CredentialReaders.AttemptTimeout.TotalSeconds:0} s per attempt |");
        if (s.Mode == RunSettings.ChaosMode)
        {
            Line(text, $"| disruption | `kill -9` of a random silo (seed {s.Seed}) every {s.KillEvery.TotalSeconds:0} s, restarted {s.RestartAfter.TotalSeconds:0} s later, for {s.Duration.TotalSeconds:0} s; then readers stop and the cluster gets up to {s.Settle.TotalSeconds:0} s to settle |");
        }
        else
        {
            Line(text, $"| disruption | after {s.Warmup.TotalSeconds:0} s, the token endpoint fails for {s.OutageLength.TotalSeconds:0} s: {s.OutagePhase.TotalSeconds:0} s of 503, {s.OutagePhase.TotalSeconds:0} s without an answer (past the service's 30 s time-out), {s.OutagePhase.TotalSeconds:0} s of 429; readers keep going until every connection is healthy again (at most {s.Settle.TotalSeconds:0} s) |");
        }

        Line(text, $"| readers ran | {run.ReadersSeconds:0} s |");
        Line(text);
    }

    private static void Results(StringBuilder text, RunOutcome run)
    {
        var r = run.Readers;
        var calls = r.Ok + r.Retried + r.Failed;
        var during = run.Samples.Where(x => x.Second < run.ReadersSeconds).ToList();
        var after = run.Samples.Where(x => x.Second >= run.ReadersSeconds).ToList();
        var reauthAtEnd = run.Final.StatusCounts.GetValueOrDefault("reauth_required");

        Line(text, "## Results");
        Line(text);
        Line(text, "| measure | goal | measured |");
        Line(text, "|---|---:|---:|");
        Line(text, $"| credential calls ok (first attempt) / retried (ok after 1-{CredentialReaders.MaxAttempts - 1} retries) / failed | {(run.Settings.Mode == RunSettings.ChaosMode ? "failed 0" : "(tokens expire while the provider is down)")} | {r.Ok:N0} / {r.Retried:N0} / {r.Failed:N0} of {calls:N0} ({calls / Math.Max(1, run.ReadersSeconds):N0}/s; {r.Attempts:N0} attempts) |");
        Line(text, $"| expired credentials served: by the answer's `expiresAt` / refused by the provider | 0 / 0 | {r.ExpiredByExpiresAt:N0} / {r.RejectedByProvider:N0} |");
        Line(text, $"| refresh-token reuse seen by the token server | 0 | {run.Reuses.Count:N0} |");
        Line(text, $"| connections in `reauth_required`: at the end / most at one time | 0 | {reauthAtEnd:N0} / {Max(run.Samples, x => x.ReauthRequired):N0} |");
        Line(text, $"| connections lost (usable before, not after) | 0 | {run.Final.Lost.Count:N0}{(run.Final.Checked < run.Settings.Connections ? $" of {run.Final.Checked:N0} checked" : string.Empty)} |");
        Line(text, $"| grants still valid at the provider | {run.Settings.Connections:N0} | {run.ActiveGrants:N0} |");
        Line(text, "| *while readers ran / afterwards (no readers: settle period of the chaos run, final check)*: | | |");
        Line(text, $"| max refresh lag (most overdue refresh, s) | < {run.Settings.TokenLifetime.TotalSeconds / 2:0} | {Max(during, x => x.MaxOverdueSeconds):0.0} / {Max(after, x => x.MaxOverdueSeconds):0.0} |");
        Line(text, $"| connections holding an expired token, most at one time | 0 | {Max(during, x => x.Expired):N0} / {Max(after, x => x.Expired):N0} |");
        Line(text, $"| longest a connection held an expired token (s) | 0 | {Max(during, x => x.MaxSecondsPastExpiry):0.0} / {Max(after, x => x.MaxSecondsPastExpiry):0.0} |");
        Line(text, $"| connections `degraded`, most at one time | | {Max(during, x => x.Degraded):N0} / {Max(after, x => x.Degraded):N0} |");
        if (run.HealthySecond is { } healthy)
        {
            Line(text, $"| every connection active with a valid token again, after the disruption ended (s) | {RecoveryGoal(run)} | {healthy - run.DisruptionEndSecond:0} |");
        }
        else
        {
            Line(text, $"| every connection active with a valid token again, after the disruption ended (s) | {RecoveryGoal(run)} | not within {run.Settings.Settle.TotalSeconds:0} s |");
        }

        var latency = run.SortedLatencyTicks;
        Line(text, $"| credential call latency p50 / p99 / max (ms, retries included) | | {LatencySample.PercentileMilliseconds(latency, 50):0.0} / {LatencySample.PercentileMilliseconds(latency, 99):0.0} / {LatencySample.PercentileMilliseconds(latency, 100):0} |");
        Line(text);

        var byStatus = run.Refreshes.GroupBy(x => x.StatusCode).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count():N0}"));
        var notChecked = run.Settings.Connections - run.Final.Checked;
        Line(text, $"Final check: {run.Final.Checked:N0} of {run.Settings.Connections:N0} connections read in {run.Final.Duration.TotalSeconds:0} s; {run.Final.NeededRetries:N0} answered only at a second or third attempt."
            + (notChecked > 0 ? $" It stopped at its limit of {run.Settings.FinalCheckLimit.TotalSeconds:0} s with {notChecked:N0} connections not checked: they count neither as lost nor as kept." : string.Empty));
        Line(text);
        Line(text, $"Refresh requests at the token endpoint: {run.Refreshes.Count:N0} ({string.Join(", ", byStatus)}; 499 = the service gave up waiting).");
        Line(text);
        if (run.Final.StatusCounts.Count > 0)
        {
            Line(text, $"Statuses at the end: {string.Join(", ", run.Final.StatusCounts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"))}.");
            Line(text);
        }

        if (run.Final.Lost.Count > 0)
        {
            Line(text, "Lost connections (first 20):");
            Line(text);
            foreach (var lost in run.Final.Lost.Take(20))
            {
                Line(text, $"- `{lost.ConnectionId}`: {lost.Reason}");
            }

            Line(text);
        }

        if (r.ExpiredExamples.Count > 0)
        {
            Line(text, "Expired answers (first 10):");
            Line(text);
            foreach (var example in r.ExpiredExamples)
            {
                Line(text, $"- {example}");
            }

            Line(text);
        }
    }

    private static void Failures(StringBuilder text, RunOutcome run)
    {
        if (run.Readers.AttemptFailures.Count == 0)
        {
            return;
        }

        Line(text, "## Failed attempts by cause");
        Line(text);
        Line(text, "| cause | attempts |");
        Line(text, "|---|---:|");
        foreach (var (cause, count) in run.Readers.AttemptFailures.OrderByDescending(p => p.Value))
        {
            Line(text, $"| {cause} | {count:N0} |");
        }

        Line(text);
    }

    /// <summary>
    /// Which kill each refresh-token reuse came from, beside what the victim said was unsaved just before: a kill loses
    /// the rotated tokens of the refreshes it catches between the provider's answer and the store.
    /// </summary>
    private static void LostAtKills(StringBuilder text, RunOutcome run)
    {
        if (run.Kills.Count == 0)
        {
            return;
        }

        // Each reuse belongs to the kill nearest to the provider's answer that retired its token: a request the victim
        // sent just before dying can still be answered (and its token rotated) just after.
        var byKill = new List<TimeSpan>[run.Kills.Count];
        var unexplained = 0;
        foreach (var reuse in run.Reuses)
        {
            if (reuse.RetiredAt is not { } retiredAt)
            {
                unexplained++;
                continue;
            }

            var kill = Enumerable.Range(0, run.Kills.Count).MinBy(i => (run.Kills[i].At - retiredAt).Duration());
            (byKill[kill] ??= []).Add(retiredAt - run.Kills[kill].At);
        }

        Line(text, "## Refresh tokens lost at kills");
        Line(text);
        Line(text, "`cluster.sh kill-silo` kills at a set moment, armed seconds ahead, so the kills do not depend on when this process (which hosts the provider) gets to run. Each refresh-token reuse is put at the kill nearest to the provider's answer that retired the reused token, the answer that was never stored; its offset is that answer's time minus the kill's (negative: answered before the kill and not stored by then; positive: a request the victim had sent before dying, answered after).");
        Line(text);
        Line(text, $"The pause columns: the longest pause of this process (which hosts the provider) ending from 1 s before the kill to 1 s after it, on a dedicated thread / on the thread pool; pauses under {PauseProbe.Threshold.TotalMilliseconds:0} ms are not kept.");
        Line(text);
        Line(text, "| s | silo | reuses | offsets of their lost answers (ms) | pause: thread / thread pool (ms) |");
        Line(text, "|---:|---|---:|---|---:|");
        var pauses = run.Pauses.Pauses;
        for (var i = 0; i < run.Kills.Count; i++)
        {
            var kill = run.Kills[i];
            var offsets = (byKill[i] ?? []).Order().Select(o => o.TotalMilliseconds.ToString("+0;-0;0", CultureInfo.InvariantCulture));
            var near = pauses.Where(p => (p.EndedAt - kill.At).Duration() <= TimeSpan.FromSeconds(1)).ToList();
            Line(text, $"| {kill.Second:0.0} | {kill.Silo} | {byKill[i]?.Count ?? 0} | {string.Join(", ", offsets)} | {Longest(near, PauseProbe.Thread)} / {Longest(near, PauseProbe.ThreadPool)} |");
        }

        Line(text);
        Line(text, $"Reuses of a token that was not the one retired last (not explained by a lost answer): {unexplained}.");
        Line(text);
        var scrapes = run.Scrapes;
        Line(text, $"Every silo's `/metrics` every {SiloScrapes.Interval.TotalSeconds:0} s during the disruption, summed over the silo processes (a killed one up to its last scrape; histogram bucket bounds)"
            + (scrapes.MissedScrapes > 0 ? $"; {scrapes.MissedScrapes} scrapes got no answer (silos being killed or restarted)" : string.Empty) + ":");
        Line(text);
        Line(text, $"- successful Refresh Token calls (`viasocket.block.duration`, request to parsed answer): {scrapes.RefreshCalls.Describe()};");
        Line(text, $"- stores of their new tokens (`viasocket.refresh.store_duration`, parsed answer to state written): {scrapes.Stores.Describe()};");
        Line(text, $"- refreshes unsaved in one silo at a scrape (`viasocket.refresh.unsaved`), mean / most: {scrapes.MeanUnsaved:0.0} / {scrapes.MostUnsaved:0}; the mean is what a kill at a random moment finds (an upper bound of what it loses: it counts requests the provider may not have seen), against {(run.Kills.Count == 0 ? 0 : (double)run.Reuses.Count / run.Kills.Count):0.0} reuses per kill measured.");
        Line(text);
        Line(text, string.Create(CultureInfo.InvariantCulture,
            $"This process during the disruption: garbage collections paused it {run.Pauses.GcPause.TotalSeconds:0.0} s in all ({run.Pauses.Gen2Collections} gen-2 collections); pauses of at least {PauseProbe.Threshold.TotalMilliseconds:0} ms: {Pauses(pauses, PauseProbe.Thread)} on the thread, {Pauses(pauses, PauseProbe.ThreadPool)} on the thread pool."));
        Line(text);

        static string Longest(List<ProcessPause> near, string kind) =>
            near.Where(p => p.Kind == kind).Select(p => p.Length.TotalMilliseconds).DefaultIfEmpty(0).Max().ToString("0", CultureInfo.InvariantCulture);

        static string Pauses(IReadOnlyList<ProcessPause> all, string kind)
        {
            var ofKind = all.Where(p => p.Kind == kind).ToList();
            return ofKind.Count == 0
                ? "none"
                : string.Create(CultureInfo.InvariantCulture, $"{ofKind.Count} (longest {ofKind.Max(p => p.Length.TotalMilliseconds):0} ms, {ofKind.Sum(p => p.Length.TotalSeconds):0.0} s in all)");
        }
    }

    private static void Timeline(StringBuilder text, RunOutcome run)
    {
        Line(text, "## Timeline");
        Line(text);
        Line(text, "Seconds from the start of the readers. Each row covers the time from its event to the next one (the last row: to the end of the readers). Per-second directory samples are in the `-directory.csv` beside this file.");
        Line(text);
        Line(text, "| s | event | failed attempts | max refresh lag (s) | max degraded |");
        Line(text, "|---:|---|---:|---:|---:|");
        var perSecond = run.Readers.FailedAttemptsPerSecond;
        var rows = new List<RunEvent> { new(0, "readers start") };
        rows.AddRange(run.Events);
        for (var i = 0; i < rows.Count; i++)
        {
            var from = rows[i].Second;
            var to = i + 1 < rows.Count ? rows[i + 1].Second : run.ReadersSeconds;
            long failed = 0;
            for (var second = (int)from; second < Math.Min(perSecond.Count, (int)to); second++)
            {
                failed += perSecond[second];
            }

            var window = run.Samples.Where(x => x.Second >= from && x.Second < to).ToList();
            var lag = window.Count == 0 ? 0 : Math.Max(0, window.Max(x => x.MaxOverdueSeconds));
            var degraded = window.Count == 0 ? 0 : window.Max(x => x.Degraded);
            Line(text, $"| {from:0.0} | {rows[i].What} | {failed:N0} | {lag:0.0} | {degraded:N0} |");
        }

        if (run.HealthySecond is { } healthy)
        {
            Line(text, $"| {healthy:0.0} | every connection active with a valid token | | | |");
        }

        Line(text);
    }

    private static void Definitions(StringBuilder text, RunOutcome run)
    {
        Line(text, "## Definitions");
        Line(text);
        Line(text, $"- A **credential call** is one read by a reader: ok if the first attempt returns 200, retried if a later attempt does, failed if none of {CredentialReaders.MaxAttempts} does. 5xx, 429, time-outs and transport errors are retried; 404/409 (not usable) are not. Retries the front-end makes itself are invisible here: they show as slower calls.");
        Line(text, "- An **expired credential served** is a 200 answer whose `expiresAt` is at or before the moment the reader received it, or whose access token the provider (same process, same clock) does not accept at that moment: expired there, or its grant revoked.");
        Line(text, "- **Refresh lag** is sampled once a second from the connection directory in PostgreSQL (`viasocket_connections`, written by every connection grain after each refresh): the largest `now - next_refresh_at` over active and degraded connections, i.e. how long the most overdue refresh (or retry) has been waiting. The table gives the largest sample. Refreshes are due at half the token lifetime, so a lag under that leaves the token valid.");
        Line(text, "- A connection is **lost** when it served credentials before the run but afterwards is not listed, or three credential reads fail, or the provider refuses the token it serves. `reauth_required` connections are lost too.");
        if (run.Settings.Mode == RunSettings.OutageMode)
        {
            Line(text, $"- **Recovery goal**: {RecoveryGoal(run)} s is the longest backoff (`RefreshBackoff`, exponential from {RefreshBackoff.BaseDelay.TotalSeconds:0} s with equal jitter, capped at {RefreshBackoff.MaxDelay.TotalMinutes:0} min) a connection can be waiting in when the outage ends: the ceiling after the most consecutive failures that fit in {run.Settings.OutageLength.TotalSeconds:0} s with the shortest delays.");
        }

        Line(text);
    }

    /// <summary>The outage goal "recovery within one backoff period": the longest backoff that can be running when the outage ends.</summary>
    private static string RecoveryGoal(RunOutcome run)
    {
        if (run.Settings.Mode != RunSettings.OutageMode)
        {
            return string.Empty;
        }

        var failures = 1;
        var elapsed = TimeSpan.Zero;
        while (elapsed + RefreshBackoff.Delay(failures, null, () => 0) <= run.Settings.OutageLength)
        {
            elapsed += RefreshBackoff.Delay(failures, null, () => 0);
            failures++;
        }

        var longest = RefreshBackoff.Delay(failures, null, () => 1);
        return string.Create(CultureInfo.InvariantCulture, $"<= {longest.TotalSeconds:0}");
    }

    /// <summary>The largest value over <paramref name="samples"/>, never below 0 (a negative lag means nothing was overdue).</summary>
    private static double Max(IReadOnlyList<DirectorySample> samples, Func<DirectorySample, double> value) =>
        samples.Count == 0 ? 0 : Math.Max(0, samples.Max(value));

    /// <summary>The directory samples as CSV beside the report, for plots.</summary>
    private static void WriteSamples(string path, IReadOnlyList<DirectorySample> samples)
    {
        var csv = new StringBuilder("second,active,degraded,reauth_required,revoked,total,max_overdue_s,expired,max_past_expiry_s\n");
        foreach (var x in samples)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{x.Second:0.0},{x.Active},{x.Degraded},{x.ReauthRequired},{x.Revoked},{x.Total},{x.MaxOverdueSeconds:0.0},{x.Expired},{x.MaxSecondsPastExpiry:0.0}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static void Line(StringBuilder text, string line = "") => text.Append(line).Append('\n');
}
