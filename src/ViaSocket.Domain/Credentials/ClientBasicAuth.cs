using System.Net;
using System.Text;

namespace ViaSocket.Domain.Credentials;

/// <summary>The HTTP Basic client authentication of RFC 6749 section 2.3.1.</summary>
public static class ClientBasicAuth
{
    /// <summary>
    /// <c>Basic base64(urlencode(clientId) ":" urlencode(secret))</c>: the id and secret are form-URL-encoded first, so a
    /// colon or non-ASCII character in either survives. Sensitive: the value carries the secret.
    /// </summary>
    public static string HeaderValue(string clientId, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(clientSecret);
        var pair = WebUtility.UrlEncode(clientId) + ":" + WebUtility.UrlEncode(clientSecret);
        return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
    }
}
