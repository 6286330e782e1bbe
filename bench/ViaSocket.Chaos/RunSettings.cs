using ViaSocket.LoadTests;

namespace ViaSocket.Chaos;

/// <summary>The fixed counts and durations of one run; every one can be overridden by a flag of the same name.</summary>
internal sealed record RunSettings(
    string Mode,
    bool Short,
    int Silos,
    int Connections,
    int Readers,
    TimeSpan TokenLifetime,
    TimeSpan Warmup,
    TimeSpan Duration,
    TimeSpan KillEvery,
    TimeSpan RestartAfter,
    TimeSpan OutagePhase,
    TimeSpan Settle,
    int CreateParallelism,
    int Seed,
    int PoolSize,
    int RefreshConcurrency,
    TimeSpan FinalCheckLimit)
{
    public const string ChaosMode = "chaos";
    public const string OutageMode = "outage";

    /// <summary>
    /// chaos: 3 silos, 10,000 connections, 200 readers, kill -9 every 60 s for 10 minutes (--short: 1,000
    /// connections, every 30 s for 2 minutes). outage: the token endpoint fails for 5 minutes in three equal phases,
    /// 503, time-out, 429 (--short: 90 s), after a warm-up (--short: 30 s). Settle: how long the cluster gets to have every
    /// connection active with a valid token again after the disruption.
    /// </summary>
    public static RunSettings From(string mode, CommandArguments args)
    {
        var isShort = args.Has("short");
        var chaos = mode == ChaosMode;
        return new RunSettings(
            mode,
            isShort,
            args.Int("silos", 3),
            args.Int("connections", isShort ? 1_000 : 10_000),
            args.Int("readers", 200),
            args.Seconds("token-lifetime", 30),
            args.Seconds("warmup", isShort ? 30 : 60),
            args.Seconds("duration", chaos ? (isShort ? 120 : 600) : 0),
            args.Seconds("kill-every", isShort ? 30 : 60),
            args.Seconds("restart-after", 10),
            args.Seconds("outage-phase", isShort ? 30 : 100),
            // The outage run waits out the longest backoff a connection can be in when the outage ends (160 s after a
            // 90 s outage, 320 s after 5 minutes; see RunReport.RecoveryGoal).
            args.Seconds("settle", chaos ? (isShort ? 90 : 180) : (isShort ? 200 : 420)),
            args.Int("create-parallelism", 8),
            args.Int("seed", 7),
            // Each process's Npgsql pool. On two cores a few busy backends keep PostgreSQL fastest: the 4,000-connection
            // chaos run served 89 credential reads/s with 45 per process and 32 refreshes per silo (180 backend
            // processes), 485/s with 12 and 8 (2026-12-04).
            args.Int("pool-size", 12),
            // ViaSocket:Refresh:MaxConcurrentPerVersion of every silo: also the most rotated refresh tokens a kill can lose.
            args.Int("refresh-concurrency", 8),
            // An over-capacity cluster can take longer to answer every connection than anyone waits: the check stops
            // there and the report says how many it did not get to.
            args.Seconds("final-check", isShort ? 120 : 600));
    }

    /// <summary>The three fault phases of the outage run, back to back.</summary>
    public TimeSpan OutageLength => OutagePhase * 3;
}
