using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ViaSocket.Domain.Security;

/// <summary>
/// The master keys this process knows, in configuration order, and the one new values are protected with.
/// Older keys stay to decrypt (and re-wrap) values written before a rotation. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Directory layout read by <see cref="LoadFromDirectory"/>: one file per key named <c>&lt;keyId&gt;.key</c>
/// holding the 32-byte key as base64 (surrounding whitespace ignored), plus a file named <c>active</c> holding the
/// id of the active key. The <c>active</c> file may be omitted when the directory holds exactly one key.
/// Rotation: add a new <c>.key</c> file, point <c>active</c> at it, restart, run the re-wrap command, then remove the old file.
/// </remarks>
public sealed class MasterKeyRing
{
    /// <summary>Extension of key files in a key directory.</summary>
    public const string KeyFileExtension = ".key";

    /// <summary>Name of the file naming the active key id in a key directory.</summary>
    public const string ActiveFileName = "active";

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerReadWrite | UnixFileMode.UserExecute;

    private readonly FrozenDictionary<string, MasterKey> keysById;
    private readonly FrozenDictionary<string, MasterKey>.AlternateLookup<ReadOnlySpan<char>> keysBySpan;

    /// <exception cref="MasterKeyRingException">No keys, a duplicate id, or an active id that names no key.</exception>
    public MasterKeyRing(IEnumerable<MasterKey> keys, string activeKeyId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(activeKeyId);
        Keys = [.. keys];
        if (Keys.Count == 0)
        {
            throw new MasterKeyRingException("The master key ring holds no keys.");
        }

        var byId = new Dictionary<string, MasterKey>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            if (!byId.TryAdd(key.KeyId, key))
            {
                throw new MasterKeyRingException($"Master key id '{key.KeyId}' appears more than once.");
            }
        }

        if (!byId.TryGetValue(activeKeyId, out var active))
        {
            throw new MasterKeyRingException(
                $"The active master key id '{activeKeyId}' names no key in the ring (known: {string.Join(", ", byId.Keys)}).");
        }

        ActiveKey = active;
        keysById = byId.ToFrozenDictionary(StringComparer.Ordinal);
        keysBySpan = keysById.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The keys in the order given.</summary>
    public IReadOnlyList<MasterKey> Keys { get; }

    /// <summary>The key new values are protected with.</summary>
    public MasterKey ActiveKey { get; }

    /// <summary>The id of <see cref="ActiveKey"/>.</summary>
    public string ActiveKeyId => ActiveKey.KeyId;

    /// <summary>Finds a key by id.</summary>
    public bool TryGetKey(ReadOnlySpan<char> keyId, [NotNullWhen(true)] out MasterKey? key) =>
        keysBySpan.TryGetValue(keyId, out key);

    /// <summary>
    /// A ring from configuration pairs of key id and base64 key, e.g. bound from
    /// <c>Encryption:Keys:&lt;id&gt; = &lt;base64&gt;</c> and <c>Encryption:ActiveKeyId</c>.
    /// </summary>
    /// <exception cref="MasterKeyRingException">A key is not base64 or not 32 bytes, or the ring is not valid.</exception>
    public static MasterKeyRing Parse(IEnumerable<(string keyId, string base64Key)> keys, string activeKeyId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new MasterKeyRing(keys.Select(pair => ParseKey(pair.keyId, pair.base64Key)).ToList(), activeKeyId);
    }

    /// <summary>Reads a key directory (layout in the remarks of <see cref="MasterKeyRing"/>).</summary>
    /// <exception cref="MasterKeyRingException">The directory is missing or holds no valid ring.</exception>
    public static MasterKeyRing LoadFromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new MasterKeyRingException($"The master key directory '{directory}' does not exist.");
        }

        try
        {
            var keys = KeyFiles(directory).Select(ReadKeyFile).ToList();
            if (keys.Count == 0)
            {
                throw new MasterKeyRingException(
                    $"The master key directory '{directory}' holds no '*{KeyFileExtension}' files.");
            }

            var activePath = Path.Combine(directory, ActiveFileName);
            var activeKeyId = File.Exists(activePath) ? File.ReadAllText(activePath).Trim()
                : keys.Count == 1 ? keys[0].KeyId
                : throw new MasterKeyRingException(
                    $"The master key directory '{directory}' holds {keys.Count} keys but no '{ActiveFileName}' file naming the active one.");
            return new MasterKeyRing(keys, activeKeyId);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MasterKeyRingException($"The master key directory '{directory}' could not be read: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The embedded default: loads the ring from <paramref name="directory"/>, first generating a key file (mode 0600
    /// in a 0700 directory on Unix) and an <c>active</c> file naming it when the directory holds no key.
    /// <c>Created</c> tells the host to log that a new local master key was generated (and where).
    /// </summary>
    /// <remarks>
    /// Files are written under a temporary name and then moved into place, so a concurrent reader never sees a partial
    /// key. When two processes race on an empty directory, the one whose <c>active</c> file lands first wins and
    /// the other removes its unused key and loads the winner's ring.
    /// </remarks>
    public static (MasterKeyRing Ring, bool Created) CreateLocalDefault(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (Directory.Exists(directory) && KeyFiles(directory).Any())
        {
            return (LoadFromDirectory(directory), false);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        var key = MasterKey.Generate($"local-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var keyPath = Path.Combine(directory, key.KeyId + KeyFileExtension);
        WriteOwnerOnlyFile(keyPath, key.ToBase64());
        try
        {
            WriteOwnerOnlyFile(Path.Combine(directory, ActiveFileName), key.KeyId);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, ActiveFileName)))
        {
            File.Delete(keyPath);
            return (LoadFromDirectory(directory), false);
        }

        return (LoadFromDirectory(directory), true);
    }

    private static IEnumerable<string> KeyFiles(string directory) =>
        Directory.EnumerateFiles(directory)
            .Where(path => string.Equals(Path.GetExtension(path), KeyFileExtension, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static MasterKey ReadKeyFile(string path)
    {
        try
        {
            return ParseKey(Path.GetFileNameWithoutExtension(path), File.ReadAllText(path));
        }
        catch (MasterKeyRingException exception)
        {
            throw new MasterKeyRingException($"Master key file '{path}': {exception.Message}", exception);
        }
    }

    private static MasterKey ParseKey(string keyId, string? base64Key)
    {
        var where = $"Master key '{keyId}'";
        var text = base64Key.AsSpan().Trim();
        if (text.IsEmpty)
        {
            throw new MasterKeyRingException($"{where} is empty.");
        }

        var buffer = new byte[(text.Length * 3 / 4) + 3];
        try
        {
            if (!Convert.TryFromBase64Chars(text, buffer, out var written))
            {
                throw new MasterKeyRingException($"{where} is not valid base64.");
            }

            return new MasterKey(keyId, buffer.AsSpan(0, written));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static void WriteOwnerOnlyFile(string path, string content)
    {
        var temporaryPath = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        try
        {
            var bytes = Encoding.ASCII.GetBytes(content);
            try
            {
                using var stream = new FileStream(temporaryPath, options);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }

            File.Move(temporaryPath, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporaryPath);
        }
    }
}
