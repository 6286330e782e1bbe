using System.Globalization;

namespace ViaSocket.Testing.Processes;

/// <summary>Linux processes read from <c>/proc</c>: how tests find the runner processes a pool started.</summary>
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

    /// <summary>The parent of process <paramref name="id"/>; null once it has ended.</summary>
    public static int? ParentOf(int id) =>
        Read($"/proc/{id}/status")?.Split('\n').FirstOrDefault(line => line.StartsWith("PPid:", StringComparison.Ordinal)) is { } line
            ? int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture)
            : null;

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
