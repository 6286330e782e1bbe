namespace ViaSocket.Domain.Security;

/// <summary>Why a protected value could not be opened.</summary>
public enum SecretDecryptionFailure
{
    /// <summary>Not a value in a known format (wrong prefix, missing segment, bad base64url, wrong length).</summary>
    Malformed,

    /// <summary>The key id in the value names no key in the ring (removed too early, or another deployment's key).</summary>
    UnknownKey,

    /// <summary>An AES-GCM tag did not verify: the associated data differs (another record) or the value was altered.</summary>
    AuthenticationFailed,

    /// <summary>The value decrypts but was written for another version of its record: an older copy was restored (see <see cref="RowVersion"/>).</summary>
    RolledBack,
}

/// <summary>
/// A protected value could not be decrypted. The message names the key id and the failure class; it never contains
/// the plaintext, the ciphertext or the associated data.
/// </summary>
public sealed class SecretDecryptionException(SecretDecryptionFailure failure, string? keyId, string message)
    : Exception(message)
{
    /// <summary>The failure class.</summary>
    public SecretDecryptionFailure Failure { get; } = failure;

    /// <summary>The key id read from the value, when the value got that far.</summary>
    public string? KeyId { get; } = keyId;
}
