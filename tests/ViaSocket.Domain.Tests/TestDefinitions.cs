using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests;

/// <summary>A complete, valid definition that tests change one member at a time.</summary>
internal static class TestDefinitions
{
    public static AuthVersionDefinition Valid() => new()
    {
        Fields =
        [
            new FieldDefinition { Key = "subdomain", Label = "Subdomain", Required = true },
            new FieldDefinition { Key = "region", Type = FieldTypes.Select, Options = ["us", "eu"], Default = "us" },
        ],
        Authorization = new AuthorizationDefinition
        {
            Url = "https://${context.authData.subdomain}.example.com/oauth/authorize",
            ClientId = "client-1",
            ClientSecret = "s3cret-of-the-client",
            Scopes = ["read", "write"],
            ExtraParams = new Dictionary<string, string> { ["access_type"] = "offline" },
        },
        AccessToken = new ApiBlock
        {
            Code = """
                try {
                  const response = await axios.request({ method: 'POST', url: 'https://example.com/token', data: { code: context.authData.code } });
                  return response.data;
                } catch (error) { throw error; }
                """,
        },
        RefreshToken = new ApiBlock
        {
            Request = new RequestDefinition
            {
                Method = "POST",
                Url = "https://example.com/token",
                Body = new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}",
                },
                BodyType = BodyTypes.Form,
            },
        },
        TestMe = new ApiBlock { Request = new RequestDefinition { Url = "https://api.example.com/v1/me" } },
        ConnectionLabel = "${context.authData.testme.email}",
        UniqueIdentifier = "${context.authData.testme.id}",
        AllowedUrls = ["https://api.example.com/v1", "http://127.0.0.1:5000"],
        Append = new AppendDefinition
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
        },
        TokenExpiry = new TokenExpiryDefinition { RefreshMarginSeconds = 120 },
        RefreshOnStatus = [401, 403],
    };
}
