using System.Globalization;

namespace ViaSocket.Testing.Processes;

/// <summary>Linux processes read from <c>/proc</c>: how tests and benchmarks find, and weigh, the runner processes a pool started.</summary>
public static class ProcessTable
{
    /// <summary>Ids of the processes whose command line contains <paramref name="fragment"/>.</summary>
    public static List<int> WithCommandLineContaining(string fragment)
    {
        var ids = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var id)
                && Read(Path.Combine(folder, "cmdline"))?.Contains(fragment, StringComparison.Ordinal) == true)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Ids of <paramref name="parent"/>'s child processes whose command line contains <paramref name="fragment"/>.</summary>
    public static List<int> ChildrenWithCommandLineContaining(int parent, string fragment) =>
        [.. WithCommandLineContaining(fragment).Where(id => ParentOf(id) == parent)];

    /// <summary>The parent of process <paramref name="id"/>; null once it has ended.</summary>
    private static int? ParentOf(int id) => StatusField(id, "PPid:") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    /// <summary>The resident memory (VmRSS) of process <paramref name="id"/> in bytes; 0 once it has ended.</summary>
    public static long ResidentBytes(int id) =>
        StatusField(id, "VmRSS:") is { } text ? long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : 0;

    private static string? StatusField(int id, string name) =>
        Read($"/proc/{id}/status")?.Split('\n').FirstOrDefault(line => line.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The process ended while being read.
            return null;
        }
    }
}
