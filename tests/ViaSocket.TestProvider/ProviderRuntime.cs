namespace ViaSocket.TestProvider;

/// <summary>Everything the endpoints share: registrations, grants, counters, fault switches and the issuer name.</summary>
internal sealed class ProviderRuntime
{
    private string? issuer;

    public ProviderRuntime(TestProviderOptions options, TimeProvider time)
    {
        Time = time;
        Store = new GrantStore(time, options, Counters);
        IdTokens = new IdTokenIssuer(time);
    }

    public IdTokenIssuer IdTokens { get; }

    public TimeProvider Time { get; }

    public ProviderDirectory Directory { get; } = new();

    public ProviderCounters Counters { get; } = new();

    public TokenEndpointFaults Faults { get; } = new();

    public GrantStore Store { get; }

    /// <summary>Changes the metadata document served at a path (see <see cref="MetadataEndpoint"/>); false answers 404 there.</summary>
    public Func<System.Text.Json.Nodes.JsonObject, string, bool>? EditMetadata { get; set; }

    /// <summary>Known only once Kestrel has picked its port; endpoints run after that.</summary>
    public string Issuer
    {
        get => issuer ?? throw new InvalidOperationException("The server has not started yet.");
        set => issuer = value;
    }
}
