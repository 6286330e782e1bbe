namespace ViaSocket.Workspaces;

/// <summary>
/// The settings of one workspace (key: the workspace id). Today: the hosts a connection's <c>returnUrl</c> may point
/// to, so the OAuth callback can never be used as an open redirect.
/// </summary>
public interface IWorkspaceSettingsGrain : IGrainWithStringKey
{
    /// <summary>The current settings; a workspace that never saved any has an empty allowlist.</summary>
    Task<WorkspaceSettings> GetAsync();

    /// <summary>
    /// Replaces the settings. Host patterns are normalized (lower case, IDN to ASCII) and de-duplicated; the whole
    /// update is refused, naming the offending entry, when one of them is not a host or <c>*.</c>suffix pattern.
    /// </summary>
    Task<UpdateWorkspaceSettingsResult> UpdateAsync(UpdateWorkspaceSettings command);
}

/// <param name="AllowedReturnUrlHosts">Normalized host patterns (normalized by <c>ViaSocket.Domain.Workspaces.ReturnUrlHostPatterns</c>, which matches against them).</param>
/// <param name="UpdatedAt">When the settings were last saved; null when never.</param>
[GenerateSerializer, Immutable]
public sealed record WorkspaceSettings(IReadOnlyList<string> AllowedReturnUrlHosts, DateTimeOffset? UpdatedAt);

[GenerateSerializer, Immutable]
public sealed record UpdateWorkspaceSettings(IReadOnlyList<string> AllowedReturnUrlHosts);

[GenerateSerializer, Immutable]
public sealed record UpdateWorkspaceSettingsResult(WorkspaceSettings? Settings, WorkspaceSettingsError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>A refused settings change, with a stable code.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkspaceSettingsError(string Code, string Message);

/// <summary>Stable error codes of workspace settings.</summary>
public static class WorkspaceSettingsErrorCodes
{
    public const string InvalidReturnUrlHost = "workspace.invalid_return_url_host";
    public const string TooManyReturnUrlHosts = "workspace.too_many_return_url_hosts";
}
