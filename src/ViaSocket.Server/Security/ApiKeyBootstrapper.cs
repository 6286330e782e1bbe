using Microsoft.Extensions.Options;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>The <c>ViaSocket:Bootstrap</c> section: the operator's first workspace and API key.</summary>
public sealed class BootstrapOptions
{
    /// <summary>The default value is <c>default</c>.</summary>
    public string WorkspaceId { get; set; } = "default";

    /// <summary>
    /// A key in the <c>vso_...</c> format to register for the workspace with every scope. When empty and the service
    /// runs on its embedded database, a key is generated once and written to a private file in the state directory.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Where a generated key is written. Set by the host; not meant to be configured.</summary>
    public string? GeneratedKeyFile { get; set; }

    /// <summary>
    /// Return-URL hosts the workspace allows (exact hosts or <c>*.example.com</c>), added at every start to those
    /// set through the API. The default value is none.
    /// </summary>
    public IList<string> AllowedReturnUrlHosts { get; } = [];
}

/// <summary>Registers the bootstrap key and return-URL hosts at start, so a fresh installation can be used at once.</summary>
internal sealed partial class ApiKeyBootstrapper(
    IOptions<BootstrapOptions> options,
    IGrainFactory grains,
    ILogger<ApiKeyBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value;
        if (!Identifiers.IsValid(bootstrap.WorkspaceId))
        {
            throw new InvalidOperationException("ViaSocket:Bootstrap:WorkspaceId is not a valid identifier.");
        }

        await AllowReturnUrlHostsAsync(bootstrap);
        var key = ResolveKey(bootstrap);
        if (key is null)
        {
            return;
        }

        // The operator's own key: every workspace scope plus operating the service (the dashboard).
        var registration = new ApiKeyRegistration(bootstrap.WorkspaceId, key.SecretHash(), [.. ApiKeyScopes.All, ApiKeyScopes.Operator], "bootstrap");
        if (!await grains.GetGrain<IApiKeyGrain>(key.KeyId).CreateAsync(registration))
        {
            throw new InvalidOperationException($"The bootstrap API key {key} is already registered for another secret or workspace.");
        }

        LogBootstrapKey(logger, key.KeyId, bootstrap.WorkspaceId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Adds the configured hosts to the workspace's allowlist, keeping those added through the API.</summary>
    private async Task AllowReturnUrlHostsAsync(BootstrapOptions bootstrap)
    {
        if (bootstrap.AllowedReturnUrlHosts.Count == 0)
        {
            return;
        }

        var settings = grains.GetGrain<IWorkspaceSettingsGrain>(bootstrap.WorkspaceId);
        var current = (await settings.GetAsync()).AllowedReturnUrlHosts;
        if (bootstrap.AllowedReturnUrlHosts.All(current.Contains))
        {
            return;
        }

        // Configured entries first: the stored ones are valid already, so an error's index names a configured entry.
        var result = await settings.UpdateAsync(new UpdateWorkspaceSettings([.. bootstrap.AllowedReturnUrlHosts, .. current]));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"ViaSocket:Bootstrap:AllowedReturnUrlHosts is refused: {result.Error!.Message}");
        }
    }

    private ApiKey? ResolveKey(BootstrapOptions bootstrap)
    {
        if (!string.IsNullOrWhiteSpace(bootstrap.ApiKey))
        {
            return ApiKey.TryParse(bootstrap.ApiKey.Trim(), out var configured)
                ? configured
                : throw new InvalidOperationException("ViaSocket:Bootstrap:ApiKey is not a vso_ API key.");
        }

        if (bootstrap.GeneratedKeyFile is not { } file)
        {
            return null;
        }

        if (File.Exists(file))
        {
            return ApiKey.TryParse(File.ReadAllText(file).Trim(), out var stored)
                ? stored
                : throw new InvalidOperationException($"{file} does not hold a vso_ API key; delete it to generate a new one.");
        }

        var generated = ApiKey.Generate();
        using (var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(generated.Reveal());
        }

        LogGeneratedKey(logger, file);
        return generated;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bootstrap API key {KeyId} is registered for workspace {WorkspaceId}")]
    private static partial void LogBootstrapKey(ILogger logger, string keyId, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a bootstrap API key with every scope; it is in {File} (readable by this user only)")]
    private static partial void LogGeneratedKey(ILogger logger, string file);
}
