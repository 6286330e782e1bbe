using System.Reflection;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Security;
using ViaSocket.Server.Security;
using ViaSocket.Server.Storage;
using ViaSocket.Server.Transport;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ViaSocket.Server.Tests.Deployment;

/// <summary>
/// No container engine runs here, so the deployment files are kept honest by reading them: services, ports, probes
/// and every environment variable must match what the service actually reads.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void Docker_compose_runs_postgres_two_silos_and_a_front_end_with_known_settings()
    {
        var compose = LoadYaml(Path.Combine(Root, "docker-compose.yml"));
        var services = Map(compose["services"]);

        Assert.Equal(["cluster-certs", "frontend", "postgres", "silo1", "silo2"], services.Keys.Order());
        Assert.Equal("silo", Environment(services["silo1"])["ViaSocket__Role"]);
        Assert.Equal("silo", Environment(services["silo2"])["ViaSocket__Role"]);
        Assert.Equal("frontend", Environment(services["frontend"])["ViaSocket__Role"]);
        Assert.Contains("8080:8080", List(Map(services["frontend"])["ports"]));
        foreach (var name in new[] { "silo1", "silo2", "frontend" })
        {
            var environment = Environment(services[name]);
            Assert.All(environment.Keys, key => Assert.True(IsKnownSetting(key), $"{name}: {key} is not a setting the service reads"));
            Assert.True(ApiKey.TryParse(environment["ViaSocket__Bootstrap__ApiKey"], out _));
            var keys = environment.Where(e => e.Key.StartsWith("ViaSocket__Encryption__Keys__", StringComparison.Ordinal))
                .Select(e => (e.Key["ViaSocket__Encryption__Keys__".Length..], e.Value));
            Assert.Equal("compose-demo", MasterKeyRing.Parse(keys, environment["ViaSocket__Encryption__ActiveKeyId"]).ActiveKeyId);
        }
    }

    [Fact]
    public void Docker_compose_nodes_talk_mutual_tls_with_their_own_certificates_from_the_one_shot_cluster_certs_service()
    {
        var services = Map(LoadYaml(Path.Combine(Root, "docker-compose.yml"))["services"]);
        var generator = Map(services["cluster-certs"]);
        var command = List(generator["command"]).Cast<string>().ToList();
        Assert.Equal(ClusterCertsCommand.Name, command[0]);
        var directory = command[command.IndexOf("--out") + 1];
        var nodes = command.Select((argument, i) => (argument, i)).Where(a => a.argument == "--node").Select(a => command[a.i + 1]);
        Assert.Equal(["frontend", "silo1", "silo2"], nodes.Order());
        Assert.Contains($"cluster-tls:{directory}", List(generator["volumes"]).Cast<string>());

        foreach (var name in new[] { "silo1", "silo2", "frontend" })
        {
            var service = Map(services[name]);
            var environment = Environment(services[name]);
            Assert.DoesNotContain("ViaSocket__Cluster__AllowInsecureTransport", environment.Keys);
            Assert.Equal($"{directory}/{name}.crt", environment["ViaSocket__Cluster__Tls__CertificatePath"]);
            Assert.Equal($"{directory}/{name}.key", environment["ViaSocket__Cluster__Tls__KeyPath"]);
            Assert.Equal($"{directory}/{ClusterCertificateGenerator.CaFileName}", environment["ViaSocket__Cluster__Tls__CaCertificatesPath"]);
            Assert.Contains($"cluster-tls:{directory}:ro", List(service["volumes"]).Cast<string>());
        }

        // Silos start only once the certificates are written; the front-end only once a silo is healthy.
        foreach (var silo in new[] { "silo1", "silo2" })
        {
            Assert.Equal("service_completed_successfully", (string)Map(Map(Map(services[silo])["depends_on"])["cluster-certs"])["condition"]);
        }

        Assert.Equal(["silo1"], Map(Map(services["frontend"])["depends_on"]).Keys);

        // The volume starts with the image directory's owner: the app user must be able to write the keys there.
        var dockerfile = File.ReadAllText(Path.Combine(Root, "deploy", "Dockerfile"));
        Assert.Contains($"mkdir -p {directory} && chown app:app {directory}", dockerfile, StringComparison.Ordinal);
        Assert.True(dockerfile.IndexOf("chown app:app", StringComparison.Ordinal) < dockerfile.IndexOf("USER app", StringComparison.Ordinal));
    }

    /// <summary>No test starts the script (it builds and runs the whole service); what it hands each process is read here.</summary>
    [Fact]
    public void Cluster_script_gives_every_process_its_own_certificate_of_a_throwaway_ca_before_starting_it()
    {
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "cluster.sh"));

        Assert.Contains($"ViaSocket.Server.dll\" {ClusterCertsCommand.Name} --out \"$dir\" \"${{nodes[@]}}\"", script, StringComparison.Ordinal);
        Assert.Contains("for name in $(cut -f1 \"$processes\"); do nodes+=(--node \"$name\"); done", script, StringComparison.Ordinal);
        Assert.Contains(
            "export ViaSocket__Cluster__Tls__CertificatePath=\"$run_dir/cluster-tls/$name.crt\" ViaSocket__Cluster__Tls__KeyPath=\"$run_dir/cluster-tls/$name.key\"",
            script,
            StringComparison.Ordinal);
        Assert.Contains("echo \"export ViaSocket__Cluster__Tls__CaCertificatesPath=$(printf %q \"$dir/ca.crt\")\" >>\"$run_dir/environment\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowInsecureTransport", script, StringComparison.Ordinal);
        var start = script[script.IndexOf("cmd_start() {", StringComparison.Ordinal)..];
        Assert.True(start.IndexOf("  generate_certificates\n", StringComparison.Ordinal) < start.IndexOf("pid=$(launch", StringComparison.Ordinal));
    }

    [Fact]
    public void Kubernetes_manifests_probe_the_health_endpoints_and_set_only_known_settings()
    {
        var documents = LoadYamlDocuments(Path.Combine(Root, "deploy", "kubernetes", "viasocket.yaml"));
        var deployments = documents.Where(d => (string)d["kind"] == "Deployment").ToList();

        Assert.Equal(2, deployments.Count);
        foreach (var deployment in deployments)
        {
            var container = Map(List(Map(Map(Map(deployment["spec"])["template"])["spec"])["containers"])[0]);
            Assert.Equal("/health/ready", (string)Map(Map(container["readinessProbe"])["httpGet"])["path"]);
            Assert.Equal("/health/live", (string)Map(Map(container["livenessProbe"])["httpGet"])["path"]);
            var ports = List(container["ports"]).Select(p => (string)Map(p)["containerPort"]).ToList();
            Assert.Contains("8080", ports);
            foreach (var variable in List(container["env"]).Select(Map))
            {
                var name = (string)variable["name"];
                Assert.True(IsKnownSetting(name), $"{name} is not a setting the service reads");
            }
        }

        var silo = deployments.Single(d => ((string)Map(d["metadata"])["name"]).EndsWith("silo", StringComparison.Ordinal));
        var siloPorts = List(Map(List(Map(Map(Map(silo["spec"])["template"])["spec"])["containers"])[0])["ports"]).Select(p => (string)Map(p)["containerPort"]);
        var defaults = new ClusterSettings();
        Assert.Contains(defaults.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), siloPorts);
        Assert.Contains(defaults.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), siloPorts);
    }

    [Fact]
    public void Kubernetes_nodes_talk_mutual_tls_from_a_secret_and_only_release_pods_reach_the_cluster_ports()
    {
        var documents = LoadYamlDocuments(Path.Combine(Root, "deploy", "kubernetes", "viasocket.yaml"));
        foreach (var deployment in documents.Where(d => (string)d["kind"] == "Deployment"))
        {
            var podSpec = Map(Map(Map(deployment["spec"])["template"])["spec"]);
            var container = Map(List(podSpec["containers"])[0]);
            var environment = List(container["env"]).Select(Map).Where(v => v.ContainsKey("value"))
                .ToDictionary(v => (string)v["name"], v => (string)v["value"], StringComparer.Ordinal);
            Assert.DoesNotContain("ViaSocket__Cluster__AllowInsecureTransport", environment.Keys);
            var mount = List(container["volumeMounts"]).Select(Map).Single(m => (string)m["name"] == "cluster-tls");
            var directory = (string)mount["mountPath"];
            Assert.Equal($"{directory}/tls.crt", environment["ViaSocket__Cluster__Tls__CertificatePath"]);
            Assert.Equal($"{directory}/tls.key", environment["ViaSocket__Cluster__Tls__KeyPath"]);
            Assert.Equal($"{directory}/ca.crt", environment["ViaSocket__Cluster__Tls__CaCertificatesPath"]);
            var volume = List(podSpec["volumes"]).Select(Map).Single(v => (string)v["name"] == "cluster-tls");
            Assert.Equal("viasocket-cluster-tls", (string)Map(volume["secret"])["secretName"]);
        }

        var policy = documents.Single(d => (string)d["kind"] == "NetworkPolicy");
        var spec = Map(policy["spec"]);
        Assert.Equal("silo", (string)Map(Map(spec["podSelector"])["matchLabels"])["app.kubernetes.io/component"]);
        Assert.Equal(["Ingress"], List(spec["policyTypes"]).Cast<string>());
        var rules = List(spec["ingress"]).Select(Map).ToList();
        static IEnumerable<string> Ports(Dictionary<string, object> rule) => List(rule["ports"]).Select(p => (string)Map(p)["port"]);

        // The cluster ports are admitted by exactly one rule, and that rule names release pods as the only source.
        var clusterRule = Assert.Single(rules, r => Ports(r).Intersect(["silo", "gateway"]).Any());
        Assert.Equal(["gateway", "silo"], Ports(clusterRule).Order());
        var source = Map(Assert.Single(List(clusterRule["from"])));
        Assert.Equal(["podSelector"], source.Keys);
        Assert.Equal("viasocket", (string)Map(Map(source["podSelector"])["matchLabels"])["app.kubernetes.io/name"]);
        Assert.All(rules.Where(r => r != clusterRule), r => Assert.Equal(["http"], Ports(r)));
    }

    [Fact]
    public void The_dockerfile_publishes_the_server_and_exposes_its_ports()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "deploy", "Dockerfile"));
        var defaults = new ClusterSettings();

        Assert.Contains("src/ViaSocket.Server/ViaSocket.Server.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"\"{typeof(ViaSocketApplication).Assembly.GetName().Name}.dll\"", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE 8080 {defaults.SiloPort} {defaults.GatewayPort}", dockerfile, StringComparison.Ordinal);

        // appsettings.json names Urls, which outranks ASPNETCORE_URLS: only the unprefixed variable moves the listener.
        Assert.Contains("\"Urls\"", File.ReadAllText(Path.Combine(Root, "src", "ViaSocket.Server", "appsettings.json")), StringComparison.Ordinal);
        Assert.Contains("ENV URLS=http://0.0.0.0:8080", dockerfile, StringComparison.Ordinal);
        foreach (var file in new[] { dockerfile, File.ReadAllText(Path.Combine(Root, "docker-compose.yml")), File.ReadAllText(Path.Combine(Root, "deploy", "kubernetes", "viasocket.yaml")) })
        {
            Assert.DoesNotContain("ASPNETCORE_URLS", file, StringComparison.Ordinal);
        }
    }

    /// <summary>An environment variable names a setting when its path (after <c>ViaSocket__</c>) is a property path of the options the service binds.</summary>
    private static bool IsKnownSetting(string variable)
    {
        if (variable is "URLS" or "ASPNETCORE_ENVIRONMENT")
        {
            return true;
        }

        const string prefix = "ViaSocket__";
        if (!variable.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var path = variable[prefix.Length..].Split("__");
        var sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
        {
            ["Bootstrap"] = typeof(BootstrapOptions),
            ["Encryption"] = typeof(EncryptionOptions),
            ["Outbound"] = typeof(OutboundHttpOptions),
        };
        return sections.TryGetValue(path[0], out var section) ? Resolves(section, path[1..]) : Resolves(typeof(ServerOptions), path);
    }

    private static bool Resolves(Type type, string[] path)
    {
        if (path.Length == 0)
        {
            return true;
        }

        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
        {
            return false;
        }

        var propertyType = property.PropertyType;
        if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return path.Length == 2;
        }

        return property.CanWrite && (path.Length == 1 ? IsScalar(propertyType) : Resolves(propertyType, path[1..]));
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || Nullable.GetUnderlyingType(type) is not null
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>));

    private static Dictionary<string, string> Environment(object service) =>
        Map(Map(service)["environment"]).ToDictionary(e => e.Key, e => (string)e.Value, StringComparer.Ordinal);

    private static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(e => (string)e.Key, e => e.Value, StringComparer.Ordinal);

    private static List<object> List(object node) => (List<object>)node;

    private static Dictionary<string, object> LoadYaml(string path) => LoadYamlDocuments(path).Single();

    private static List<Dictionary<string, object>> LoadYamlDocuments(string path)
    {
        // The merging parser resolves YAML anchors and "<<" merge keys, as docker compose does.
        var parser = new MergingParser(new Parser(new StringReader(File.ReadAllText(path))));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<Dictionary<string, object>>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (!parser.Accept<YamlDotNet.Core.Events.StreamEnd>(out _))
        {
            documents.Add(Map(deserializer.Deserialize<object>(parser)!));
        }

        return documents;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ViaSocketOrleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (ViaSocketOrleans.sln) was not found above the test binaries.");
    }
}
