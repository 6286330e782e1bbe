using System.Security.Cryptography;
using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

internal sealed class ApiKeyGrain(
    [PersistentState(StorageNames.ApiKeyState, StorageNames.Default)] IPersistentState<ApiKeyState> state,
    TimeProvider time) : Grain, IApiKeyGrain
{
    public async Task<bool> CreateAsync(ApiKeyRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (state.RecordExists)
        {
            // Idempotent for the same key (bootstrap runs at every start), refused for anything else.
            return state.State.WorkspaceId == registration.WorkspaceId
                && CryptographicOperations.FixedTimeEquals(state.State.SecretHash, registration.SecretHash);
        }

        state.State = new ApiKeyState
        {
            WorkspaceId = registration.WorkspaceId,
            SecretHash = registration.SecretHash,
            Scopes = [.. registration.Scopes],
            Description = registration.Description,
            CreatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        return true;
    }

    public Task<ApiKeyIdentity?> VerifyAsync(byte[] secretHash)
    {
        if (!state.RecordExists)
        {
            // Someone presented an id that names no key: do not keep an activation for it.
            DeactivateOnIdle();
            return Task.FromResult<ApiKeyIdentity?>(null);
        }

        var key = state.State;
        var valid = key.RevokedAt is null
            && CryptographicOperations.FixedTimeEquals(key.SecretHash, secretHash);
        return Task.FromResult(valid ? new ApiKeyIdentity(this.GetPrimaryKeyString(), key.WorkspaceId, key.Scopes) : null);
    }

    public async Task<ApiKeyRevocation> RevokeAsync(string workspaceId, IReadOnlyList<string> revokerScopes)
    {
        if (!state.RecordExists || state.State.WorkspaceId != workspaceId)
        {
            return ApiKeyRevocation.NotFound;
        }

        if (ApiKeyScopes.NotHeld(state.State.Scopes, revokerScopes).Count > 0)
        {
            return ApiKeyRevocation.ScopeEscalation;
        }

        if (state.State.RevokedAt is null)
        {
            state.State.RevokedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        // Also when it was revoked before: a front-end that missed that announcement drops the key now.
        await GrainFactory.GetGrain<IApiKeyChangeHubGrain>(0).PublishAsync(this.GetPrimaryKeyString());
        return ApiKeyRevocation.Revoked;
    }
}

[GenerateSerializer]
internal sealed class ApiKeyState
{
    [Id(0)] public string WorkspaceId { get; set; } = "";
    [Id(1)] public byte[] SecretHash { get; set; } = [];
    [Id(2)] public List<string> Scopes { get; set; } = [];
    [Id(3)] public string? Description { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? RevokedAt { get; set; }
}
