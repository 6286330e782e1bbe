namespace ViaSocket.AuthVersions;

[GenerateSerializer]
public enum AuthVersionStatus
{
    Draft,
    Published,
}

/// <summary>An auth version as shown to authors: the definition without its client secret.</summary>
/// <param name="DefinitionJson">The definition with <c>authorization.clientSecret</c> removed.</param>
/// <param name="ClientSecretSet">Whether a client secret is stored.</param>
[GenerateSerializer, Immutable]
public sealed record AuthVersionView(
    string WorkspaceId,
    string PluginId,
    string VersionId,
    AuthVersionStatus Status,
    string DefinitionJson,
    bool ClientSecretSet,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt);

/// <summary>The full definition, secret included; never leaves the cluster through the HTTP API.</summary>
/// <param name="Revision">Changes whenever the definition changes; part of cache keys for compiled scripts and templates.</param>
[GenerateSerializer, Immutable]
public sealed record PublishedAuthVersion(string PluginId, string VersionId, AuthVersionStatus Status, string DefinitionJson, string Revision);

/// <summary>A problem with a definition, located by a JSON pointer.</summary>
[GenerateSerializer, Immutable]
public sealed record DefinitionProblem(string Pointer, string Code, string Message);

/// <summary>The outcome of a change to an auth version: the version on success, or an error code and problems.</summary>
/// <param name="MetadataCheck">For a publish of a version naming an issuer: what the issuer's metadata says now.</param>
[GenerateSerializer, Immutable]
public sealed record AuthVersionResult(AuthVersionView? Version, string? ErrorCode, string? ErrorMessage, IReadOnlyList<DefinitionProblem> Problems, MetadataCheck? MetadataCheck = null)
{
    public bool Succeeded => ErrorCode is null;

    public static AuthVersionResult Success(AuthVersionView? version) => new(version, null, null, []);

    public static AuthVersionResult Failure(string code, string message, IReadOnlyList<DefinitionProblem>? problems = null) =>
        new(null, code, message, problems ?? []);
}

/// <summary>Stable error codes of auth-version operations.</summary>
public static class AuthVersionErrorCodes
{
    public const string Invalid = "auth_version.invalid";
    public const string NotFound = "auth_version.not_found";
    public const string Published = "auth_version.published";
    public const string NotPublished = "auth_version.not_published";
}
