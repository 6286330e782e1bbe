using System.Globalization;

namespace ViaSocket.Domain.Security;

/// <summary>
/// The rollback guard of encrypted rows: each ciphertext is bound (in its AES-GCM associated data, see
/// <see cref="AssociatedData.WithVersion"/>) to the version counter the row will have once it is written, and a read
/// accepts it only for that version, and never for a version older than one this activation has already seen.
/// </summary>
/// <remarks>
/// <para>Threat: someone with write access to the database (not to the master keys) copies an older ciphertext of the
/// same row back, e.g. to bring back a refresh token that was rotated away or a connection that was revoked. The
/// ciphertext alone cannot carry a counter that helps: an old ciphertext carries its own old counter. The row's
/// version column (the Orleans ETag, incremented by PostgreSQL on every write) is checked against the bound version,
/// which catches a ciphertext restored without its version; the ETag the activation already holds is checked
/// against the one read, which catches a whole row (ciphertext and version) restored under a live activation; and a
/// live activation's next write names its own ETag, so the storage refuses it as inconsistent.</para>
/// <para>Not prevented: restoring a whole row, ciphertext and version column together, while no silo has the grain
/// active (nothing outside the database remembers the newer version), and restoring a row written in the format
/// that had no version (accepted for the upgrade, until <c>rewrap-keys</c> has rewritten every row). Detecting those
/// would need a counter kept outside the database.</para>
/// </remarks>
public static class RowVersion
{
    /// <summary>
    /// The version a row has once written over the version <paramref name="currentETag"/>: 1 for a first write (no
    /// ETag), else one more, as the PostgreSQL grain storage counts.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="currentETag"/> is not a version counter.</exception>
    public static long Next(string? currentETag) => currentETag is null ? 1 : Parse(currentETag) + 1;

    /// <summary>
    /// Why a ciphertext bound to <paramref name="boundVersion"/> must not be used as the row read at
    /// <paramref name="readETag"/> by an activation that had already seen <paramref name="lastSeenETag"/>; null when it may.
    /// </summary>
    public static string? Refusal(long boundVersion, string? readETag, string? lastSeenETag)
    {
        if (readETag is null || !TryParse(readETag, out var readVersion))
        {
            return "the row has no version counter";
        }

        if (readVersion != boundVersion)
        {
            return $"the row is at version {readVersion} but its ciphertext was written for version {boundVersion}: an older ciphertext was copied back into it";
        }

        if (lastSeenETag is not null && TryParse(lastSeenETag, out var lastSeen) && readVersion < lastSeen)
        {
            return $"the row went back from version {lastSeen} to version {readVersion}: an older row was restored";
        }

        return null;
    }

    private static long Parse(string eTag) => TryParse(eTag, out var version)
        ? version
        : throw new FormatException("The grain storage's ETag is not a row version counter.");

    private static bool TryParse(string eTag, out long version) =>
        long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
}
