namespace ViaSocket.Domain.Security;

/// <summary>
/// The master key configuration is not usable: an invalid or duplicate key id, a key of the wrong length, an active
/// key id that names no key, or an unreadable key directory. The message names key ids and files, never key bytes.
/// </summary>
public sealed class MasterKeyRingException(string message, Exception? innerException = null)
    : Exception(message, innerException);
