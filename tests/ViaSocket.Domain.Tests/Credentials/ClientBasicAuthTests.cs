using System.Text;
using ViaSocket.Domain.Credentials;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class ClientBasicAuthTests
{
    [Fact]
    public void The_id_and_secret_are_form_url_encoded_before_base64()
    {
        var value = ClientBasicAuth.HeaderValue("my app:1", "p@ss wörd+/=");

        Assert.StartsWith("Basic ", value, StringComparison.Ordinal);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value["Basic ".Length..]));
        Assert.Equal("my+app%3A1:p%40ss+w%C3%B6rd%2B%2F%3D", decoded);
    }

    [Fact]
    public void A_plain_id_and_secret_encode_as_rfc_7617_would()
    {
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("client-1:secret")), ClientBasicAuth.HeaderValue("client-1", "secret"));
    }
}
