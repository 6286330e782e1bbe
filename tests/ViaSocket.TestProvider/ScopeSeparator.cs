namespace ViaSocket.TestProvider;

/// <summary>The character a client's <c>scope</c> parameter is split on; providers disagree, so tests need both.</summary>
public enum ScopeSeparator
{
    Space,
    Comma,
}
