using ViaSocket.Domain.Security;

namespace ViaSocket.Domain.Tests.Security;

public sealed class MasterKeyRingTests : IDisposable
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    private readonly string directory = Path.Combine(Path.GetTempPath(), $"viasocket-keys-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private void WriteFile(string name, string content)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name), content);
    }

    [Fact]
    public void Parse_builds_a_ring_in_order_with_the_named_active_key()
    {
        var ring = MasterKeyRing.Parse([("key-a", KeyA), ("key-b", KeyB)], "key-b");

        Assert.Equal(["key-a", "key-b"], ring.Keys.Select(key => key.KeyId));
        Assert.Equal("key-b", ring.ActiveKeyId);
        Assert.True(ring.TryGetKey("key-a", out var keyA));
        Assert.Equal(Convert.FromBase64String(KeyA), keyA.Key.ToArray());
        Assert.False(ring.TryGetKey("key-c", out _));
    }

    [Fact]
    public void An_active_key_id_that_names_no_key_is_refused_listing_the_known_ids()
    {
        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([("key-a", KeyA)], "key-z"));

        Assert.Contains("'key-z' names no key", exception.Message, StringComparison.Ordinal);
        Assert.Contains("known: key-a", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_id_is_refused()
    {
        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([("key-a", KeyA), ("key-a", KeyB)], "key-a"));

        Assert.Contains("'key-a' appears more than once", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_ring_is_refused()
    {
        Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([], "key-a"));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_key_of_the_wrong_length_is_refused_without_printing_it(int length)
    {
        var base64 = Convert.ToBase64String(Enumerable.Repeat((byte)0x5A, length).ToArray());

        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([("key-a", base64)], "key-a"));

        Assert.Contains($"must be 32 bytes (256 bits); it has {length}", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(base64[..16], exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_base64_is_refused_without_printing_it()
    {
        const string notBase64 = "this-is-not-base64-but-a-secret!";

        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([("key-a", notBase64)], "key-a"));

        Assert.Contains("'key-a' is not valid base64", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(notBase64, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("key.a")]
    [InlineData("key a")]
    [InlineData("key/a")]
    public void An_invalid_key_id_is_refused_without_echoing_it(string keyId)
    {
        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([(keyId, KeyA)], keyId));

        Assert.Contains("master key id", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_pasted_into_the_id_slot_is_not_echoed()
    {
        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.Parse([(KeyA, KeyA)], KeyA));

        Assert.DoesNotContain(KeyA, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_master_key_prints_its_id_and_never_its_bytes()
    {
        var key = new MasterKey("key-a", Convert.FromBase64String(KeyA));

        Assert.Equal("MasterKey key-a", key.ToString());
    }

    [Fact]
    public void A_master_key_copies_the_bytes_it_is_given()
    {
        var bytes = Convert.FromBase64String(KeyA);
        var key = new MasterKey("key-a", bytes);

        Array.Clear(bytes);

        Assert.Equal(Convert.FromBase64String(KeyA), key.Key.ToArray());
    }

    [Fact]
    public void Load_from_directory_reads_key_files_and_the_active_file()
    {
        WriteFile("key-a.key", KeyA + "\n");
        WriteFile("key-b.key", KeyB);
        WriteFile("active", "key-b\n");
        WriteFile("README.txt", "ignored");

        var ring = MasterKeyRing.LoadFromDirectory(directory);

        Assert.Equal(["key-a", "key-b"], ring.Keys.Select(key => key.KeyId));
        Assert.Equal("key-b", ring.ActiveKeyId);
    }

    [Fact]
    public void Load_from_directory_takes_a_single_key_as_active_without_an_active_file()
    {
        WriteFile("only.key", KeyA);

        var ring = MasterKeyRing.LoadFromDirectory(directory);

        Assert.Equal("only", ring.ActiveKeyId);
    }

    [Fact]
    public void Load_from_directory_refuses_several_keys_without_an_active_file()
    {
        WriteFile("key-a.key", KeyA);
        WriteFile("key-b.key", KeyB);

        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.LoadFromDirectory(directory));

        Assert.Contains("no 'active' file", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_from_directory_refuses_a_missing_or_keyless_directory()
    {
        Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.LoadFromDirectory(directory));
        WriteFile("active", "key-a");
        Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.LoadFromDirectory(directory));
    }

    [Fact]
    public void Load_from_directory_names_the_bad_file_but_not_its_content()
    {
        WriteFile("key-a.key", "c2hvcnQ=");

        var exception = Assert.Throws<MasterKeyRingException>(() => MasterKeyRing.LoadFromDirectory(directory));

        Assert.Contains("key-a.key", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_local_default_generates_an_owner_only_key_once_and_reuses_it()
    {
        var (first, firstCreated) = MasterKeyRing.CreateLocalDefault(directory);
        var (second, secondCreated) = MasterKeyRing.CreateLocalDefault(directory);

        Assert.True(firstCreated);
        Assert.False(secondCreated);
        Assert.Equal(first.ActiveKeyId, second.ActiveKeyId);
        Assert.Equal(first.ActiveKey.Key.ToArray(), second.ActiveKey.Key.ToArray());
        Assert.Single(second.Keys);
        Assert.StartsWith("local-", first.ActiveKeyId, StringComparison.Ordinal);
        var keyFile = Assert.Single(Directory.GetFiles(directory, "*.key"));
        Assert.Equal(first.ActiveKeyId + ".key", Path.GetFileName(keyFile));
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Fact]
    public void A_value_protected_with_the_local_default_key_decrypts_after_reloading_the_directory()
    {
        var record = AssociatedData.For("ws-1", "connection", "conn-1", "clientSecret");
        var protectedValue = new SecretProtector(MasterKeyRing.CreateLocalDefault(directory).Ring).Protect("s3cret", record);

        var reloaded = new SecretProtector(MasterKeyRing.LoadFromDirectory(directory));

        Assert.Equal("s3cret", reloaded.Unprotect(protectedValue, record));
    }

    [Fact]
    public void Create_local_default_loads_an_existing_operator_ring_untouched()
    {
        WriteFile("key-a.key", KeyA);
        WriteFile("key-b.key", KeyB);
        WriteFile("active", "key-a");

        var (ring, created) = MasterKeyRing.CreateLocalDefault(directory);

        Assert.False(created);
        Assert.Equal("key-a", ring.ActiveKeyId);
        Assert.Equal(2, Directory.GetFiles(directory, "*.key").Length);
    }
}
