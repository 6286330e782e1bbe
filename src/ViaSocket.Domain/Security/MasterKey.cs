using System.Buffers;
using System.Security.Cryptography;

namespace ViaSocket.Domain.Security;

/// <summary>
/// A 256-bit AES master key and the id that names it inside every value it protects. The key bytes are copied
/// into a pinned array (so the GC never leaves stray copies) and are only reachable from this assembly;
/// <see cref="ToString"/> prints the id only.
/// </summary>
public sealed class MasterKey
{
    /// <summary>AES-256.</summary>
    public const int KeySizeInBytes = 32;

    /// <summary>The longest key id accepted.</summary>
    public const int MaxKeyIdLength = 64;

    // Key ids appear in protected values (dot-separated) and as file names, so they are restricted to a safe alphabet.
    private static readonly SearchValues<char> KeyIdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly byte[] keyBytes;

    /// <param name="keyId">1-64 characters of <c>A-Z a-z 0-9 - _</c>.</param>
    /// <param name="key">Exactly <see cref="KeySizeInBytes"/> bytes; copied, so the caller may zero its array afterwards.</param>
    /// <exception cref="MasterKeyRingException">The id or the key length is not valid.</exception>
    public MasterKey(string keyId, byte[] key)
        : this(keyId, new ReadOnlySpan<byte>(key ?? throw new ArgumentNullException(nameof(key))))
    {
    }

    /// <summary>Copies <paramref name="key"/>, so a parser can decode into a buffer it zeroes afterwards.</summary>
    internal MasterKey(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!IsValidKeyId(keyId))
        {
            // The rejected id is not echoed: a misplaced key value in the id slot must not reach a log.
            throw new MasterKeyRingException(
                $"A master key id ({keyId.Length} characters) is not valid: use 1-{MaxKeyIdLength} characters of A-Z, a-z, 0-9, '-' and '_'.");
        }

        if (key.Length != KeySizeInBytes)
        {
            throw new MasterKeyRingException(
                $"Master key '{keyId}' must be {KeySizeInBytes} bytes (256 bits); it has {key.Length}.");
        }

        KeyId = keyId;
        keyBytes = GC.AllocateUninitializedArray<byte>(KeySizeInBytes, pinned: true);
        key.CopyTo(keyBytes);
    }

    /// <summary>The id written into every value protected with this key.</summary>
    public string KeyId { get; }

    internal ReadOnlySpan<byte> Key => keyBytes;

    /// <summary>A new key of cryptographically random bytes.</summary>
    public static MasterKey Generate(string keyId)
    {
        var bytes = RandomNumberGenerator.GetBytes(KeySizeInBytes);
        try
        {
            return new MasterKey(keyId, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Whether <paramref name="keyId"/> is 1-64 characters of <c>A-Z a-z 0-9 - _</c>.</summary>
    public static bool IsValidKeyId(ReadOnlySpan<char> keyId) =>
        keyId.Length is > 0 and <= MaxKeyIdLength && !keyId.ContainsAnyExcept(KeyIdCharacters);

    /// <summary>The key as base64, the form <see cref="MasterKeyRing.Parse"/> and key files take.</summary>
    internal string ToBase64() => Convert.ToBase64String(keyBytes);

    /// <summary>Names the key; never prints key material.</summary>
    public override string ToString() => $"MasterKey {KeyId}";
}
