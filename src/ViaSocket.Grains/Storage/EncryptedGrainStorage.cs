using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using ViaSocket.Domain.Security;

namespace ViaSocket.Grains.Storage;

/// <summary>
/// Encrypts every grain state at rest. Wraps another grain storage: the state is serialized, encrypted as one
/// AES-256-GCM envelope (<see cref="SecretProtector"/>) whose associated data is the state name and grain id (which
/// includes the workspace), and handed to the inner storage as an <see cref="EncryptedState"/>. A row copied onto
/// another grain therefore fails to decrypt, and key rotation re-wraps data keys without touching payloads.
/// </summary>
public sealed class EncryptedGrainStorage(IGrainStorage inner, Serializer serializer, SecretProtector protector) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var envelope = new GrainState<EncryptedState>(new EncryptedState(""));
        await inner.ReadStateAsync(stateName, grainId, envelope);
        (grainState.ETag, grainState.RecordExists) = (envelope.ETag, envelope.RecordExists);
        if (!envelope.RecordExists || envelope.State is not { Value.Length: > 0 } stored)
        {
            return;
        }

        var context = AssociatedDataFor(stateName, grainId);
        var (writtenFor, protectedValue) = EncryptedState.Split(stored.Value);
        if (writtenFor != context)
        {
            throw new SecretDecryptionException(
                SecretDecryptionFailure.AuthenticationFailed,
                keyId: null,
                $"The stored state of {context} was written for {writtenFor}: it was copied from another record and is refused.");
        }

        var plaintext = protector.Unprotect(protectedValue, context);
        grainState.State = serializer.Deserialize<T>(Convert.FromBase64String(plaintext));
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var context = AssociatedDataFor(stateName, grainId);
        var plaintext = Convert.ToBase64String(serializer.SerializeToArray(grainState.State));
        var envelope = new GrainState<EncryptedState>(EncryptedState.Create(context, protector.Protect(plaintext, context)))
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
/// What the inner storage stores: <c>&lt;associated data&gt;\n&lt;protected value&gt;</c>. The associated data (state
/// name and grain id, no secrets) travels in clear so that the key re-wrap command can re-wrap rows without knowing how
/// the storage lays out grain ids.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EncryptedState([property: Id(0)] string Value)
{
    public static EncryptedState Create(string associatedData, string protectedValue) => new(associatedData + "\n" + protectedValue);

    public static (string AssociatedData, string ProtectedValue) Split(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var newline = value.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0
            ? throw new SecretDecryptionException(SecretDecryptionFailure.Malformed, keyId: null, "The stored state is not an encrypted envelope.")
            : (value[..newline], value[(newline + 1)..]);
    }
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
