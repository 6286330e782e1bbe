using ViaSocket.AuthVersions;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Grains.AuthVersions;

/// <summary>
/// Stores one auth version. The client secret is kept apart from the definition document so that every view of the
/// document is secret-free by construction.
/// </summary>
internal sealed class AuthVersionGrain(
    [PersistentState(StorageNames.AuthVersionState, StorageNames.Default)] IPersistentState<AuthVersionState> state,
    TimeProvider time,
    OutboundHttpClient http) : Grain, IAuthVersionGrain
{
    private string[] KeyParts => GrainKeys.Split(this.GetPrimaryKeyString());

    public async Task<AuthVersionResult> PutDraftAsync(string definitionJson)
    {
        if (IsPublished)
        {
            return PublishedRefusal();
        }

        var parsed = DefinitionJson.Parse(definitionJson);
        if (parsed.Definition is null)
        {
            return Invalid(parsed.Problems);
        }

        var definition = parsed.Definition;
        var incomingSecret = definition.Authorization?.ClientSecret;
        var problems = DefinitionValidator.Validate(definition, state.State.ClientSecret);
        if (problems.Count > 0)
        {
            return Invalid(problems);
        }

        var now = time.GetUtcNow();
        var isNew = !state.RecordExists;
        state.State.DefinitionJson = DefinitionJson.Serialize(WithoutSecret(definition));
        if (incomingSecret is not null)
        {
            state.State.ClientSecret = incomingSecret;
        }

        state.State.Status = AuthVersionStatus.Draft;
        state.State.CreatedAt = isNew ? now : state.State.CreatedAt;
        state.State.UpdatedAt = now;
        state.State.Revision++;
        await state.WriteStateAsync();

        if (isNew)
        {
            var (workspaceId, pluginId) = (KeyParts[0], KeyParts[1]);
            await GrainFactory.GetGrain<IPluginGrain>(GrainKeys.Plugin(workspaceId, pluginId)).AddVersionAsync(KeyParts[2]);
        }

        return AuthVersionResult.Success(View());
    }

    public Task<AuthVersionView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task<AuthVersionResult> PublishAsync()
    {
        if (!state.RecordExists)
        {
            return NotFound();
        }

        if (!IsPublished)
        {
            // A draft stored before a rule was added or tightened goes live only if it meets today's rules.
            var definition = DefinitionJson.Parse(state.State.DefinitionJson).Definition!;
            var problems = DefinitionValidator.Validate(definition, state.State.ClientSecret);
            if (problems.Count > 0)
            {
                return Invalid(problems);
            }

            MetadataCheck? check = null;
            if (definition.Authorization?.Issuer is { } issuer)
            {
                (definition, check) = await PublishMetadataCheck.RunAsync(http, definition, issuer);
                var checkedJson = DefinitionJson.Serialize(definition);
                if (checkedJson != state.State.DefinitionJson)
                {
                    state.State.DefinitionJson = checkedJson;
                    state.State.Revision++;
                }
            }

            state.State.Status = AuthVersionStatus.Published;
            state.State.PublishedAt = state.State.UpdatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
            return AuthVersionResult.Success(View()) with { MetadataCheck = check };
        }

        return AuthVersionResult.Success(View());
    }

    public async Task<AuthVersionResult> DeleteDraftAsync()
    {
        if (!state.RecordExists)
        {
            return NotFound();
        }

        if (IsPublished)
        {
            return PublishedRefusal();
        }

        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IPluginGrain>(GrainKeys.Plugin(KeyParts[0], KeyParts[1])).RemoveVersionAsync(KeyParts[2]);
        DeactivateOnIdle();
        return AuthVersionResult.Success(null);
    }

    public Task<PublishedAuthVersion?> GetPublishedAsync() => Task.FromResult(IsPublished ? Full() : null);

    public Task<PublishedAuthVersion?> GetForTestRunAsync() => Task.FromResult(state.RecordExists ? Full() : null);

    private bool IsPublished => state.RecordExists && state.State.Status == AuthVersionStatus.Published;

    private PublishedAuthVersion Full()
    {
        var definition = DefinitionJson.Parse(state.State.DefinitionJson).Definition!;
        if (state.State.ClientSecret is { } secret && definition.Authorization is { } authorization)
        {
            definition = definition with { Authorization = authorization with { ClientSecret = secret } };
        }

        return new PublishedAuthVersion(KeyParts[1], KeyParts[2], state.State.Status, DefinitionJson.Serialize(definition), Revision());
    }

    private string Revision() => $"{this.GetPrimaryKeyString()}#{state.State.Revision}";

    private AuthVersionView View()
    {
        var s = state.State;
        return new AuthVersionView(KeyParts[0], KeyParts[1], KeyParts[2], s.Status, s.DefinitionJson, s.ClientSecret is not null, s.CreatedAt, s.UpdatedAt, s.PublishedAt);
    }

    private static AuthVersionDefinition WithoutSecret(AuthVersionDefinition definition) =>
        definition.Authorization is { } authorization
            ? definition with { Authorization = authorization with { ClientSecret = null } }
            : definition;

    private static AuthVersionResult Invalid(IEnumerable<ValidationProblem> problems) =>
        AuthVersionResult.Failure(
            AuthVersionErrorCodes.Invalid,
            "The definition is not valid; see problems.",
            [.. problems.Select(p => new DefinitionProblem(p.Pointer, p.Code, p.Message))]);

    private AuthVersionResult PublishedRefusal() =>
        AuthVersionResult.Failure(
            AuthVersionErrorCodes.Published,
            $"Version '{KeyParts[2]}' of plugin '{KeyParts[1]}' is published and cannot change. Create a new version instead.");

    private AuthVersionResult NotFound() =>
        AuthVersionResult.Failure(AuthVersionErrorCodes.NotFound, $"Version '{KeyParts[2]}' of plugin '{KeyParts[1]}' does not exist.");
}

[GenerateSerializer]
internal sealed class AuthVersionState
{
    [Id(0)] public AuthVersionStatus Status { get; set; }

    /// <summary>The definition document without its client secret.</summary>
    [Id(1)] public string DefinitionJson { get; set; } = "{}";

    /// <summary>Sensitive.</summary>
    [Id(2)] public string? ClientSecret { get; set; }

    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(5)] public DateTimeOffset? PublishedAt { get; set; }
    [Id(6)] public long Revision { get; set; }
}
