using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using ViaSocket.Domain.Security;

namespace ViaSocket.Benchmarks;

/// <summary>
/// The encryption-at-rest envelope on a 200-byte token. Baseline: a bare AES-256-GCM encrypt of the same bytes
/// with a new <see cref="AesGcm"/> (the floor: no data key, no wrapping, no encoding). Two reference rows split
/// that floor into constructing an <see cref="AesGcm"/> (the key schedule; an envelope pays it twice per call,
/// since every value has its own data key) and encrypting with an instance built earlier.
/// </summary>
[MemoryDiagnoser]
public class EncryptionBenchmarks
{
    private const int TokenLength = 200;

    private static readonly string Token = new('t', TokenLength);
    private static readonly byte[] TokenBytes = Encoding.UTF8.GetBytes(Token);

    private readonly string record = AssociatedData.For("ws-1", "connection", "conn-1", "authData.accesstokencode");
    private readonly byte[] baselineKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] baselineNonce = new byte[12];
    private readonly byte[] baselineCiphertext = new byte[TokenLength];
    private readonly byte[] baselineTag = new byte[16];

    private byte[] recordBytes = null!;
    private AesGcm builtEarlier = null!;
    private SecretProtector protector = null!;
    private string protectedToken = null!;
    private string protectedWithOldKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        recordBytes = Encoding.UTF8.GetBytes(record);
        builtEarlier = new AesGcm(baselineKey, 16);
        var oldKey = MasterKey.Generate("key-a");
        var newKey = MasterKey.Generate("key-b");
        protector = new SecretProtector(new MasterKeyRing([oldKey, newKey], "key-b"));
        protectedToken = protector.Protect(Token, record);
        protectedWithOldKey = new SecretProtector(new MasterKeyRing([oldKey], "key-a")).Protect(Token, record);
    }

    [GlobalCleanup]
    public void Cleanup() => builtEarlier.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] BareAesGcmEncrypt()
    {
        RandomNumberGenerator.Fill(baselineNonce);
        using var aes = new AesGcm(baselineKey, 16);
        aes.Encrypt(baselineNonce, TokenBytes, baselineCiphertext, baselineTag, recordBytes);
        return baselineCiphertext;
    }

    [Benchmark]
    public int ConstructAesGcm()
    {
        using var aes = new AesGcm(baselineKey, 16);
        return aes.TagSizeInBytes ?? 0;
    }

    [Benchmark]
    public byte[] EncryptWithAesGcmBuiltEarlier()
    {
        RandomNumberGenerator.Fill(baselineNonce);
        builtEarlier.Encrypt(baselineNonce, TokenBytes, baselineCiphertext, baselineTag, recordBytes);
        return baselineCiphertext;
    }

    [Benchmark]
    public string Protect() => protector.Protect(Token, record);

    [Benchmark]
    public string Unprotect() => protector.Unprotect(protectedToken, record);

    [Benchmark]
    public string Rewrap() => protector.Rewrap(protectedWithOldKey, record);
}
