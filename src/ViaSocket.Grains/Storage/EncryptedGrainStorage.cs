using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using ViaSocket.Domain.Security;

namespace ViaSocket.Grains.Storage;

/// <summary>
/// Encrypts every grain state at rest. Wraps another grain storage: the state is serialized, encrypted as one
/// AES-256-GCM envelope (<see cref="SecretProtector"/>) whose associated data is the state name and grain id (which
/// includes the workspace) and the row version the write produces (<see cref="RowVersion"/>), and handed to the inner
/// storage as an <see cref="EncryptedState"/>. A row copied onto another grain, or an older ciphertext copied back into
/// its row, therefore fails to load, and key rotation re-wraps data keys without touching payloads.
/// </summary>
/// <remarks>
/// The inner storage must count versions as the PostgreSQL grain storage does (ETag = row version, 1 on insert, one
/// more per write). Rows written before versions were bound (no version line) still load and get one on their next
/// write; <c>rewrap-keys</c> upgrades them all. See <see cref="RowVersion"/> for what the binding does and does not prevent.
/// </remarks>
public sealed class EncryptedGrainStorage(IGrainStorage inner, Serializer serializer, SecretProtector protector) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var envelope = new GrainState<EncryptedState>(new EncryptedState(""));
        await inner.ReadStateAsync(stateName, grainId, envelope);
        if (!envelope.RecordExists || envelope.State is not { Value.Length: > 0 } stored)
        {
            (grainState.ETag, grainState.RecordExists) = (envelope.ETag, envelope.RecordExists);
            return;
        }

        var context = AssociatedDataFor(stateName, grainId);
        var row = stored.Parse();
        if (row.Context != context)
        {
            throw new SecretDecryptionException(
                SecretDecryptionFailure.AuthenticationFailed,
                keyId: null,
                $"The stored state of {context} was written for {row.Context}: it was copied from another record and is refused.");
        }

        // Checked before the activation takes the read ETag: after a refused read it keeps the newer one it had, so
        // its next write is refused by the storage too instead of overwriting the restored row.
        if (row.Version is { } version && RowVersion.Refusal(version, envelope.ETag, grainState.ETag) is { } refusal)
        {
            throw new SecretDecryptionException(SecretDecryptionFailure.RolledBack, keyId: null, $"The stored state of {context} is refused: {refusal}.");
        }

        var plaintext = protector.Unprotect(row.ProtectedValue, row.AssociatedData);
        grainState.State = serializer.Deserialize<T>(Convert.FromBase64String(plaintext));
        (grainState.ETag, grainState.RecordExists) = (envelope.ETag, envelope.RecordExists);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var context = AssociatedDataFor(stateName, grainId);
        var version = RowVersion.Next(grainState.ETag);
        var plaintext = Convert.ToBase64String(serializer.SerializeToArray(grainState.State));
        var protectedValue = protector.Protect(plaintext, AssociatedData.WithVersion(context, version));
        var envelope = new GrainState<EncryptedState>(EncryptedState.Create(context, version, protectedValue))
        {
            ETag = grainState.ETag,
            RecordExists = grainState.RecordExists,
        };
        await inner.WriteStateAsync(stateName, grainId, envelope);
        (grainState.ETag, grainState.RecordExists) = (envelope.ETag, envelope.RecordExists);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var envelope = new GrainState<EncryptedState>(new EncryptedState("")) { ETag = grainState.ETag, RecordExists = grainState.RecordExists };
        await inner.ClearStateAsync(stateName, grainId, envelope);
        (grainState.ETag, grainState.RecordExists) = (envelope.ETag, envelope.RecordExists);
    }

    /// <summary>What the ciphertext of one grain's state is bound to.</summary>
    public static string AssociatedDataFor(string stateName, GrainId grainId) => $"{stateName}|{grainId}";
}

/// <summary>
/// What the inner storage stores: <c>&lt;context&gt;\n&lt;version&gt;\n&lt;protected value&gt;</c>, where context is the
/// state name and grain id and version the row version the ciphertext is bound to (rows written before versions were
/// bound have no version line). Context and version (no secrets) travel in clear so that the key re-wrap command can
/// rewrite rows without knowing how the storage lays out grain ids; both are bound into the ciphertext.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EncryptedState([property: Id(0)] string Value)
{
    public static EncryptedState Create(string context, long version, string protectedValue) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{context}\n{version}\n{protectedValue}"));

    /// <exception cref="SecretDecryptionException">The value is not an encrypted envelope.</exception>
    public EncryptedRow Parse()
    {
        var parts = Value.Split('\n');
        return parts switch
        {
            [var context, var protectedValue] => new EncryptedRow(context, null, protectedValue),
            [var context, var version, var protectedValue] when long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                => new EncryptedRow(context, number, protectedValue),
            _ => throw new SecretDecryptionException(SecretDecryptionFailure.Malformed, keyId: null, "The stored state is not an encrypted envelope."),
        };
    }
}

/// <summary>One parsed <see cref="EncryptedState"/>; <see cref="Version"/> is null for rows written before versions were bound.</summary>
public readonly record struct EncryptedRow(string Context, long? Version, string ProtectedValue)
{
    /// <summary>What <see cref="ProtectedValue"/> was encrypted for.</summary>
    public string AssociatedData => Version is { } version ? Domain.Security.AssociatedData.WithVersion(Context, version) : Context;
}

/// <summary>Stores <see cref="EncryptedState"/> as its UTF-8 text, so the database row is the envelope itself.</summary>
public sealed class EncryptedStateSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => input is EncryptedState state
        ? new BinaryData(Encoding.UTF8.GetBytes(state.Value))
        : throw new InvalidOperationException($"Only {nameof(EncryptedState)} is stored through this storage, not {typeof(T).Name}.");

    public T Deserialize<T>(BinaryData input) => typeof(T) == typeof(EncryptedState)
        ? (T)(object)new EncryptedState(Encoding.UTF8.GetString(input.ToArray()))
        : throw new InvalidOperationException($"Only {nameof(EncryptedState)} is stored through this storage, not {typeof(T).Name}.");
}

public static class EncryptedGrainStorageExtensions
{
    /// <summary>
    /// Registers grain storage <paramref name="name"/> as an encrypting wrapper around the storage registered as
    /// <paramref name="innerName"/> (configure that one with <see cref="EncryptedStateSerializer"/>). A
    /// <see cref="SecretProtector"/> must be registered.
    /// </summary>
    public static ISiloBuilder AddEncryptedGrainStorage(this ISiloBuilder silo, string name, string innerName)
    {
        silo.Services.AddKeyedSingleton<IGrainStorage>(name, (services, _) => new EncryptedGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(innerName),
            services.GetRequiredService<Serializer>(),
            services.GetRequiredService<SecretProtector>()));
        return silo;
    }
}
