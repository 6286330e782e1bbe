namespace ViaSocket.TestProvider;

/// <summary>What the authorization response carries in <c>iss</c> (RFC 9207), to test the client's mix-up defence.</summary>
public enum IssuerParameterMode
{
    /// <summary><c>iss</c> is the server's issuer identifier.</summary>
    Correct,

    /// <summary>No <c>iss</c> parameter, like most providers today.</summary>
    Omitted,

    /// <summary><c>iss</c> names another issuer (<see cref="TestClient.WrongIssuer"/>).</summary>
    Wrong,
}
