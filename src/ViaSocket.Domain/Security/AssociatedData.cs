using System.Globalization;
using System.Text;

namespace ViaSocket.Domain.Security;

/// <summary>
/// Canonical associated data binding a protected value to the record and member it belongs to, so a value copied
/// to another record, workspace or member fails to decrypt.
/// </summary>
public static class AssociatedData
{
    /// <summary>
    /// <c>&lt;length&gt;:&lt;part&gt;</c> for each part (length in UTF-16 code units, invariant decimal), joined with
    /// <c>|</c>, e.g. <c>4:ws-1|10:connection|5:c-123|12:clientSecret</c>. Each part's length is stated before it,
    /// so no choice of parts (even ones containing <c>|</c> or <c>:</c>) can produce another tuple's string.
    /// </summary>
    /// <exception cref="ArgumentException">A part is null or empty.</exception>
    public static string For(string workspaceId, string objectKind, string objectId, string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        ArgumentException.ThrowIfNullOrEmpty(objectKind);
        ArgumentException.ThrowIfNullOrEmpty(objectId);
        ArgumentException.ThrowIfNullOrEmpty(member);
        var builder = new StringBuilder(workspaceId.Length + objectKind.Length + objectId.Length + member.Length + 24);
        Append(builder, workspaceId);
        Append(builder.Append('|'), objectKind);
        Append(builder.Append('|'), objectId);
        Append(builder.Append('|'), member);
        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="associatedData"/> bound to one version of its record: <c>&lt;length&gt;:&lt;associatedData&gt;|version:&lt;n&gt;</c>,
    /// so a ciphertext written for one version of a row does not decrypt as another version of it (see <see cref="RowVersion"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="associatedData"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not positive.</exception>
    public static string WithVersion(string associatedData, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(associatedData);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        var builder = new StringBuilder(associatedData.Length + 32);
        Append(builder, associatedData);
        return builder.Append("|version:").Append(version.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private static void Append(StringBuilder builder, string part) =>
        builder.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
}
