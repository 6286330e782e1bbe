using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ViaSocket.Domain.Security;

/// <summary>
/// Encrypts secrets for storage with an AES-256-GCM envelope: every value gets its own random data key, which is
/// itself encrypted ("wrapped") with the active master key of the <see cref="MasterKeyRing"/>. Immutable and
/// thread-safe; build a new instance when the ring changes.
/// </summary>
/// <remarks>
/// <para>A protected value is ASCII: <c>v1.&lt;keyId&gt;.&lt;wrappedKey&gt;.&lt;payload&gt;</c>, where</para>
/// <list type="bullet">
/// <item><c>keyId</c> names the master key that wrapped the data key (see <see cref="MasterKey.IsValidKeyId"/>);</item>
/// <item><c>wrappedKey</c> is base64url without padding (80 characters) of <c>nonce(12) | AES-GCM(masterKey, dataKey(32)) | tag(16)</c>,
/// with associated data <c>UTF-8("v1." + keyId + "." + associatedData)</c>;</item>
/// <item><c>payload</c> is base64url without padding of <c>nonce(12) | AES-GCM(dataKey, UTF-8(plaintext)) | tag(16)</c>,
/// with associated data <c>UTF-8(associatedData)</c>.</item>
/// </list>
/// <para>Both layers are bound to the associated data (normally <see cref="AssociatedData.For"/>), so a value copied
/// to another record fails to decrypt. Re-wrapping replaces the key id and <c>wrappedKey</c> and leaves
/// <c>payload</c> byte-identical. Nonces are random; a master key wraps one data key per value, so rotate it well
/// before 2^32 values have been written with it.</para>
/// </remarks>
public sealed class SecretProtector(MasterKeyRing keyRing)
{
    private const string Prefix = "v1.";
    private const char Separator = '.';
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int DataKeySize = 32;
    private const int WrappedKeySize = NonceSize + DataKeySize + TagSize;
    private const int PayloadOverhead = NonceSize + TagSize;
    private const int StackBytes = 512;
    private const int StackChars = 1024;
    private const string AlteredOrMisplaced = "the value was encrypted for another record, or was altered";

    private static readonly int EncodedWrappedKeyLength = Base64Url.GetEncodedLength(WrappedKeySize);

    private readonly MasterKeyRing keyRing = keyRing ?? throw new ArgumentNullException(nameof(keyRing));

    /// <summary>The ring this protector reads and writes with.</summary>
    public MasterKeyRing KeyRing => keyRing;

    /// <summary>Encrypts <paramref name="plaintext"/> for the record named by <paramref name="associatedData"/> with the active master key.</summary>
    /// <exception cref="ArgumentException"><paramref name="associatedData"/> is null or empty.</exception>
    public string Protect(ReadOnlySpan<char> plaintext, string associatedData)
    {
        ArgumentException.ThrowIfNullOrEmpty(associatedData);
        var masterKey = keyRing.ActiveKey;
        using var aad = BuildAssociatedData(stackalloc byte[StackBytes], masterKey.KeyId, associatedData, out var payloadAadStart);

        var plaintextLength = Encoding.UTF8.GetByteCount(plaintext);
        using var secrets = new ScratchBuffer<byte>(stackalloc byte[StackBytes], DataKeySize + plaintextLength);
        var dataKey = secrets.Span[..DataKeySize];
        var plaintextBytes = secrets.Span[DataKeySize..];
        RandomNumberGenerator.Fill(dataKey);
        Encoding.UTF8.GetBytes(plaintext, plaintextBytes);

        Span<byte> wrappedKey = stackalloc byte[WrappedKeySize];
        Seal(masterKey.Key, dataKey, aad.Span, wrappedKey);

        using var payload = new ScratchBuffer<byte>(stackalloc byte[StackBytes], PayloadOverhead + plaintextLength);
        Seal(dataKey, plaintextBytes, aad.Span[payloadAadStart..], payload.Span);

        var length = HeaderLength(masterKey.KeyId) + Base64Url.GetEncodedLength(payload.Span.Length);
        using var text = new ScratchBuffer<char>(stackalloc char[StackChars], length);
        var written = WriteHeader(text.Span, masterKey.KeyId, wrappedKey);
        Base64Url.EncodeToChars(payload.Span, text.Span[written..]);
        return new string(text.Span);
    }

    /// <summary>Decrypts a value made by <see cref="Protect"/> (or <see cref="Rewrap"/>) for the same associated data.</summary>
    /// <exception cref="SecretDecryptionException">The value is malformed, names an unknown key, was altered, or belongs to another record.</exception>
    public string Unprotect(string protectedValue, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentException.ThrowIfNullOrEmpty(associatedData);
        var value = ProtectedValue.Parse(protectedValue);
        var masterKey = FindKey(value.KeyId);
        using var aad = BuildAssociatedData(stackalloc byte[StackBytes], masterKey.KeyId, associatedData, out var payloadAadStart);
        using var dataKey = new ScratchBuffer<byte>(stackalloc byte[DataKeySize], DataKeySize);
        UnwrapDataKey(masterKey, value.WrappedKey, aad.Span, dataKey.Span);

        var maxPayloadLength = Base64Url.GetMaxDecodedLength(value.Payload.Length);
        using var payload = new ScratchBuffer<byte>(stackalloc byte[StackBytes], maxPayloadLength);
        if (!TryDecode(value.Payload, payload.Span, out var payloadLength))
        {
            throw Malformed("the payload segment is not base64url", masterKey.KeyId);
        }

        if (payloadLength < PayloadOverhead)
        {
            throw Malformed("the payload segment is too short", masterKey.KeyId);
        }

        using var plaintext = new ScratchBuffer<byte>(stackalloc byte[StackBytes], payloadLength - PayloadOverhead);
        if (!TryOpen(dataKey.Span, payload.Span[..payloadLength], aad.Span[payloadAadStart..], plaintext.Span))
        {
            throw new SecretDecryptionException(
                SecretDecryptionFailure.AuthenticationFailed,
                masterKey.KeyId,
                $"The payload protected under master key '{masterKey.KeyId}' did not verify: {AlteredOrMisplaced}.");
        }

        return Encoding.UTF8.GetString(plaintext.Span);
    }

    /// <summary>Whether the value was wrapped with a key other than the active one. Reads the key id only; no decryption.</summary>
    /// <exception cref="SecretDecryptionException">The value is malformed.</exception>
    public bool NeedsRewrap(string protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        return !ProtectedValue.Parse(protectedValue).KeyId.SequenceEqual(keyRing.ActiveKeyId);
    }

    /// <summary>
    /// Moves the value to the active master key: unwraps its data key with the key it names and wraps it with the
    /// active key. The payload segment is copied unchanged (the secret itself is never decrypted); a value already
    /// under the active key is returned as is.
    /// </summary>
    /// <exception cref="SecretDecryptionException">The value is malformed, names an unknown key, or its data key does not verify for this associated data.</exception>
    public string Rewrap(string protectedValue, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentException.ThrowIfNullOrEmpty(associatedData);
        var value = ProtectedValue.Parse(protectedValue);
        var activeKey = keyRing.ActiveKey;
        if (value.KeyId.SequenceEqual(activeKey.KeyId))
        {
            return protectedValue;
        }

        var oldKey = FindKey(value.KeyId);
        using var dataKey = new ScratchBuffer<byte>(stackalloc byte[DataKeySize], DataKeySize);
        using (var oldAad = BuildAssociatedData(stackalloc byte[StackBytes], oldKey.KeyId, associatedData, out _))
        {
            UnwrapDataKey(oldKey, value.WrappedKey, oldAad.Span, dataKey.Span);
        }

        using var newAad = BuildAssociatedData(stackalloc byte[StackBytes], activeKey.KeyId, associatedData, out _);
        Span<byte> wrappedKey = stackalloc byte[WrappedKeySize];
        Seal(activeKey.Key, dataKey.Span, newAad.Span, wrappedKey);

        using var text = new ScratchBuffer<char>(stackalloc char[StackChars], HeaderLength(activeKey.KeyId) + value.Payload.Length);
        var written = WriteHeader(text.Span, activeKey.KeyId, wrappedKey);
        value.Payload.CopyTo(text.Span[written..]);
        return new string(text.Span);
    }

    private MasterKey FindKey(ReadOnlySpan<char> keyId) =>
        keyRing.TryGetKey(keyId, out var key)
            ? key
            : throw new SecretDecryptionException(
                SecretDecryptionFailure.UnknownKey,
                keyId.ToString(),
                $"The value was protected with master key '{keyId}', which is not in the key ring.");

    /// <summary>
    /// <c>UTF-8("v1." + keyId + "." + associatedData)</c>, the associated data of the wrapped key; its tail from
    /// <paramref name="payloadStart"/> is <c>UTF-8(associatedData)</c>, the associated data of the payload.
    /// </summary>
    private static ScratchBuffer<byte> BuildAssociatedData(Span<byte> stackSpace, string keyId, string associatedData, out int payloadStart)
    {
        payloadStart = Prefix.Length + keyId.Length + 1;
        var buffer = new ScratchBuffer<byte>(stackSpace, payloadStart + Encoding.UTF8.GetByteCount(associatedData));
        var span = buffer.Span;
        Encoding.ASCII.GetBytes(Prefix, span);
        Encoding.ASCII.GetBytes(keyId, span[Prefix.Length..]);
        span[payloadStart - 1] = (byte)Separator;
        Encoding.UTF8.GetBytes(associatedData, span[payloadStart..]);
        return buffer;
    }

    /// <summary>Writes <c>nonce | ciphertext | tag</c> of <paramref name="plaintext"/> to <paramref name="destination"/>.</summary>
    private static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        var nonce = destination[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, destination.Slice(NonceSize, plaintext.Length), destination[^TagSize..], associatedData);
    }

    /// <summary>Opens <c>nonce | ciphertext | tag</c>; false when the tag does not verify.</summary>
    private static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[NonceSize..^TagSize], sealedBytes[^TagSize..], plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static void UnwrapDataKey(MasterKey masterKey, ReadOnlySpan<char> encodedWrappedKey, ReadOnlySpan<byte> associatedData, Span<byte> dataKey)
    {
        Span<byte> wrappedKey = stackalloc byte[WrappedKeySize];
        if (encodedWrappedKey.Length != EncodedWrappedKeyLength
            || !TryDecode(encodedWrappedKey, wrappedKey, out var written)
            || written != WrappedKeySize)
        {
            throw Malformed("the wrapped key segment is not a base64url wrapped key", masterKey.KeyId);
        }

        if (!TryOpen(masterKey.Key, wrappedKey, associatedData, dataKey))
        {
            throw new SecretDecryptionException(
                SecretDecryptionFailure.AuthenticationFailed,
                masterKey.KeyId,
                $"The data key wrapped with master key '{masterKey.KeyId}' did not verify: {AlteredOrMisplaced}.");
        }
    }

    /// <summary>Decodes base64url, false for invalid input (the Try method of <see cref="Base64Url"/> throws on it).</summary>
    private static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int written)
    {
        written = 0;
        return Base64Url.IsValid(source, out var length)
            && length <= destination.Length
            && Base64Url.TryDecodeFromChars(source, destination, out written);
    }

    private static int HeaderLength(string keyId) => Prefix.Length + keyId.Length + 1 + EncodedWrappedKeyLength + 1;

    /// <summary>Writes <c>v1.&lt;keyId&gt;.&lt;wrappedKey&gt;.</c> and returns its length.</summary>
    private static int WriteHeader(Span<char> destination, string keyId, ReadOnlySpan<byte> wrappedKey)
    {
        Prefix.CopyTo(destination);
        var position = Prefix.Length;
        keyId.CopyTo(destination[position..]);
        position += keyId.Length;
        destination[position++] = Separator;
        position += Base64Url.EncodeToChars(wrappedKey, destination[position..]);
        destination[position++] = Separator;
        return position;
    }

    private static SecretDecryptionException Malformed(string reason, string? keyId) =>
        new(SecretDecryptionFailure.Malformed, keyId, $"The protected value is malformed: {reason}.");

    /// <summary>The three segments after the version prefix, as views into the protected string.</summary>
    private readonly ref struct ProtectedValue(ReadOnlySpan<char> keyId, ReadOnlySpan<char> wrappedKey, ReadOnlySpan<char> payload)
    {
        public ReadOnlySpan<char> KeyId { get; } = keyId;

        public ReadOnlySpan<char> WrappedKey { get; } = wrappedKey;

        public ReadOnlySpan<char> Payload { get; } = payload;

        public static ProtectedValue Parse(ReadOnlySpan<char> value)
        {
            if (!value.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw Malformed($"it does not start with '{Prefix}'", null);
            }

            var rest = value[Prefix.Length..];
            var keyIdEnd = rest.IndexOf(Separator);
            if (keyIdEnd < 0 || !MasterKey.IsValidKeyId(rest[..keyIdEnd]))
            {
                throw Malformed("it has no valid key id segment", null);
            }

            var keyId = rest[..keyIdEnd];
            rest = rest[(keyIdEnd + 1)..];
            var wrappedKeyEnd = rest.IndexOf(Separator);
            if (wrappedKeyEnd < 0)
            {
                throw Malformed("it has no payload segment", keyId.ToString());
            }

            return new ProtectedValue(keyId, rest[..wrappedKeyEnd], rest[(wrappedKeyEnd + 1)..]);
        }
    }
}
