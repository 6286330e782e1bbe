namespace ViaSocket.Domain.Validation;

/// <summary>Size limits of a definition, so one version cannot exhaust storage or the sandbox.</summary>
public static class DefinitionLimits
{
    public const int MaxDocumentBytes = Definitions.DefinitionJson.MaxDocumentBytes;
    public const int MaxCodeBytes = 64 * 1024;
    public const int MaxTemplateLength = 8 * 1024;
    public const int MaxFields = 100;
    public const int MaxScopes = 50;
    public const int MaxAllowedUrls = 50;

    /// <summary>Entries in one template map (append headers, request query, extra params, ...).</summary>
    public const int MaxMapEntries = 50;
}
