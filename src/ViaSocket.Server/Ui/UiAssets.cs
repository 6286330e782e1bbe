using System.Collections.Frozen;
using System.Reflection;
using System.Text;

namespace ViaSocket.Server.Ui;

/// <summary>The UI's pages, scripts and style sheet, embedded in the assembly (no build step, no files to deploy).</summary>
internal static class UiAssets
{
    private const string ResourcePrefix = "ViaSocket.Server.Ui.Assets.";

    private static readonly FrozenDictionary<string, string> Files = Load();

    /// <summary>The text of an embedded asset by file name, e.g. <c>builder.js</c>; null when there is none.</summary>
    public static string? Find(string fileName) => Files.GetValueOrDefault(fileName);

    public static string ContentType(string fileName) => Path.GetExtension(fileName) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };

    private static FrozenDictionary<string, string> Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToFrozenDictionary(name => name[ResourcePrefix.Length..], name => Read(assembly, name), StringComparer.Ordinal);
    }

    private static string Read(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
