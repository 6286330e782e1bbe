using System.Globalization;

namespace ViaSocket.LoadTests;

/// <summary><c>--name value</c> options and <c>--flag</c> switches after the mode.</summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    public CommandArguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    options[pending] = null;
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                options[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'; options are written --name value.");
            }
        }

        if (pending is not null)
        {
            options[pending] = null;
        }
    }

    public bool Has(string name) => options.ContainsKey(name);

    public string String(string name, string defaultValue) => options.GetValueOrDefault(name) ?? defaultValue;

    public string Required(string name) =>
        options.GetValueOrDefault(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int defaultValue) =>
        options.GetValueOrDefault(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    public int? OptionalInt(string name) =>
        options.GetValueOrDefault(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    public TimeSpan Seconds(string name, double defaultSeconds) =>
        TimeSpan.FromSeconds(options.GetValueOrDefault(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : defaultSeconds);

    public int[] Ints(string name, string defaultValue) =>
        String(name, defaultValue).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
