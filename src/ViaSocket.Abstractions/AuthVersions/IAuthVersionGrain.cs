namespace ViaSocket.AuthVersions;

/// <summary>
/// One auth version of one plugin in one workspace (key: <see cref="GrainKeys.AuthVersion"/>). Holds the
/// definition as a draft until published; a published version is immutable.
/// </summary>
public interface IAuthVersionGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the draft. A published version refuses with <see cref="AuthVersionErrorCodes.Published"/>.</summary>
    /// <param name="definitionJson">The definition document (SPEC section 2). A client secret left out keeps the stored one.</param>
    Task<AuthVersionResult> PutDraftAsync(string definitionJson);

    /// <summary>The version as authors see it (client secret replaced by whether one is set), or null when none exists.</summary>
    Task<AuthVersionView?> GetAsync();

    /// <summary>Freezes the draft. Publishing an already published version is a no-op.</summary>
    Task<AuthVersionResult> PublishAsync();

    /// <summary>Deletes a draft. A published version refuses with <see cref="AuthVersionErrorCodes.Published"/>.</summary>
    Task<AuthVersionResult> DeleteDraftAsync();

    /// <summary>
    /// The published definition with its client secret, for the grains that run the OAuth flow. Null when the
    /// version does not exist or is still a draft.
    /// </summary>
    Task<PublishedAuthVersion?> GetPublishedAsync();

    /// <summary>The definition with its client secret, draft or published, for author test runs. Null when none exists.</summary>
    Task<PublishedAuthVersion?> GetForTestRunAsync();
}

/// <summary>The versions of one plugin in a workspace (key: <see cref="GrainKeys.Plugin"/>).</summary>
public interface IPluginGrain : IGrainWithStringKey
{
    Task AddVersionAsync(string versionId);

    Task RemoveVersionAsync(string versionId);

    Task<IReadOnlyList<string>> ListVersionsAsync();
}
