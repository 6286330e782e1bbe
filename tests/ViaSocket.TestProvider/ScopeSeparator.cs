namespace ViaSocket.TestProvider;

/// <summary>The character a client's <c>scope</c> parameter is split on; providers disagree, so tests need both.</summary>
public enum ScopeSeparator
{
    Space,
    Comma,

    /// <summary>
    /// A raw <c>+</c> in the authorize URL's query, read before form decoding: <c>read+write</c> is two scopes, while
    /// <c>read%2Bwrite</c> is the single scope <c>read+write</c> and <c>read%20write</c> a scope with a space (both refused).
    /// </summary>
    Plus,
}
