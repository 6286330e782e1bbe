namespace ViaSocket.TestProvider;

/// <summary>Server-wide settings of a <see cref="TestAuthorizationServer"/>.</summary>
public sealed class TestProviderOptions
{
    /// <summary>How long an authorization code can be redeemed. The default value is 60 seconds.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether <see cref="TestUser.Alice"/> is registered at start. The default value is <see langword="true"/>.</summary>
    public bool AddDefaultUser { get; init; } = true;
}
