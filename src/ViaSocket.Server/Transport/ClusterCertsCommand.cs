using System.Globalization;

namespace ViaSocket.Server.Transport;

/// <summary>
/// <c>ViaSocket.Server cluster-certs --out DIR --node NAME [--node NAME ...] [--days N] [--force]</c>: a throwaway CA
/// and a certificate per node for mutual TLS of a local or compose cluster (see <see cref="ClusterCertificateGenerator"/>).
/// Prints file names and the CA thumbprint, never a key.
/// </summary>
internal static class ClusterCertsCommand
{
    public const string Name = "cluster-certs";

    /// <summary>The default validity of the certificates, in days.</summary>
    public const int DefaultDays = 30;

    private const int MaxDays = 3650;

    private const string Usage =
        "usage: ViaSocket.Server cluster-certs --out DIR --node NAME [--node NAME ...] [--days N] [--force]\n" +
        "  writes DIR/ca.crt and DIR/NAME.crt + DIR/NAME.key (mode 0600) per node; keeps a valid set already there unless --force";

    /// <returns>0 on success, 2 for bad arguments.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        string? directory = null;
        var nodes = new List<string>();
        var days = DefaultDays;
        var force = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--out" when value is not null:
                    directory = value;
                    i++;
                    break;
                case "--node" when value is not null && ClusterCertificateGenerator.IsValidNodeName(value):
                    nodes.Add(value);
                    i++;
                    break;
                case "--node" when value is not null:
                    return Fail(error, $"'{value}' is not a node name: a DNS label (letters, digits, '-', at most 63), and not 'ca'.");
                case "--days" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= MaxDays:
                    i++;
                    break;
                case "--force":
                    force = true;
                    break;
                default:
                    return Fail(error, $"unexpected argument '{args[i]}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(directory) || nodes.Count == 0)
        {
            return Fail(error, "--out and at least one --node are required.");
        }

        var distinct = nodes.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var set = ClusterCertificateGenerator.Ensure(directory, distinct, TimeSpan.FromDays(days), time, force);
        output.WriteLine(set.Written
            ? $"Wrote a new cluster CA ({ClusterCertificateGenerator.CaFileName}, thumbprint {set.CaThumbprint}) and certificates for {string.Join(", ", distinct)} in {directory}, valid until {set.NotAfter:u}."
            : $"Kept the certificates in {directory} (CA thumbprint {set.CaThumbprint}, valid until {set.NotAfter:u}).");
        return 0;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"cluster-certs: {message}");
        error.WriteLine(Usage);
        return 2;
    }
}
