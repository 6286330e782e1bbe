using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Security;

/// <summary>The service with rate limits out of the way, so every fuzz case reaches the code under test.</summary>
public sealed class FuzzFixture : ServiceFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ViaSocket:RateLimits:ConnectionStartsPerMinute"] = "1000000",
        ["ViaSocket:RateLimits:CallbacksPerMinutePerIp"] = "1000000",
    };
}

/// <summary>
/// Deterministic fuzzing (seed <see cref="Seed"/>) of the three inputs anyone can shape: definitions, connection
/// starts and OAuth callbacks. The service must answer every case without a 5xx, and forged or replayed callbacks
/// must change nothing.
/// </summary>
public sealed class FuzzTests(FuzzFixture fixture) : IClassFixture<FuzzFixture>
{
    private const int Seed = 1234;
    private const int DefinitionCases = 400;
    private const int StartCases = 350;
    private const int CallbackCases = 350;
    private const string Marker = "__fuzz_raw__";
    private const string StartPlugin = "fuzz-start";

    private static readonly string[] Templates =
    [
        "${", "${context.", "${context.authData.}", "${}", "${`}", "${context.authData['x']}", "$${{}}", "${context.authData.a.b.c.d}",
        "${constructor.constructor('return process')()}", "${context?.authData?.}", "${1+}", "${context.authData.x" + new string('.', 500),
    ];

    private static readonly string[] Odd =
    [
        "", " ", "\u0000", "\uFEFF", "👩‍💻", "\u202Eevil", "ü", "<script>alert(1)</script>", "../../etc/passwd", "a/b", "null", "0",
        "%00", "${", new string('x', 101), "\r\nSet-Cookie: a=b",
    ];

    private static readonly string?[] ReturnUrls =
    [
        null, ConnectFlow.ReturnUrl, "https://attacker.example/", "javascript:alert(1)", "/relative", "//attacker.example/x",
        "https://app.example.test@attacker.example/", "https://attacker.example\\@app.example.test/", "https://app.example.test.attacker.example/",
        "data:text/html,<script>alert(1)</script>", "https://APP.EXAMPLE.TEST/x", "https://app.example.test:99999/", "http://[::1]/",
        "https://" + new string('h', 300) + ".example/", "ftp://app.example.test/", "https://app.example.test/" + new string('p', 3000),
        "https://\u0430pp.example.test/", "https://app.example.test./", "http://app.example.test/?a=<script>", "https://*.example.test/",
    ];

    private Random random = new(Seed);

    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task Random_and_mutated_definitions_are_answered_with_200_or_a_4xx_problem()
    {
        random = new Random(Seed);
        JsonObject[] seeds = [ProviderDefinitions.JavaScript(fixture.Provider), ProviderDefinitions.Declarative(fixture.Provider)];
        for (var i = 0; i < DefinitionCases; i++)
        {
            var body = MutatedDefinition(seeds[i % seeds.Length]);
            var version = $"v{random.Next(8)}";
            using var content = new StringContent(body, Encoding.UTF8, random.Next(20) == 0 ? "text/plain" : "application/json");

            using var put = await Flow.Api.PutAsync($"/v1/plugins/fuzz-def/auth-versions/{version}", content);

            await AssertAnsweredAsync(put, $"definition case {i}", body);
            Assert.True(put.StatusCode == HttpStatusCode.OK || IsClientError(put.StatusCode), $"definition case {i}: {(int)put.StatusCode}");
            if (put.StatusCode == HttpStatusCode.OK && random.Next(10) == 0)
            {
                using var publish = await Flow.Api.PostAsync($"/v1/plugins/fuzz-def/auth-versions/{version}/publish", null);
                await AssertAnsweredAsync(publish, $"publish after definition case {i}", body);
            }
        }
    }

    [Fact]
    public async Task Random_connection_starts_are_answered_without_5xx_and_only_ever_return_to_allowed_hosts()
    {
        random = new Random(Seed);
        await Flow.PublishAsync(StartPlugin, "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        for (var i = 0; i < StartCases; i++)
        {
            var returnUrl = Pick(ReturnUrls);
            var wellFormed = random.Next(2) == 0;
            var (response, input, sentReturnUrl) = random.Next(4) == 0
                ? await GetRandomAuthorizeAsync(wellFormed, returnUrl)
                : await PostRandomStartAsync(wellFormed, returnUrl);
            using var answered = response;

            await AssertAnsweredAsync(response, $"start case {i}", input);
            var started = response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Redirect;
            Assert.True(started || IsClientError(response.StatusCode), $"start case {i}: {(int)response.StatusCode}");
            if (started && sentReturnUrl is not null)
            {
                Assert.True(new Uri(sentReturnUrl).IdnHost == "app.example.test", $"start case {i} accepted returnUrl {sentReturnUrl}");
            }
        }
    }

    [Fact]
    public async Task Forged_duplicated_oversized_and_replayed_callbacks_are_refused_and_change_nothing()
    {
        random = new Random(Seed);
        await Flow.PublishAsync("fuzz-callback", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var (connectionId, authorizeUrl) = await Flow.StartAsync("fuzz-callback", "v1", ownerId: "fuzz-owner");
        var consumedCallback = await Flow.ConsentAsync(authorizeUrl);
        using (var first = await Flow.CallbackAsync(consumedCallback))
        {
            Assert.Equal("success", ConnectFlow.ReturnQuery(first)["status"]);
        }

        var consumedState = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(consumedCallback.Query)["state"].ToString();
        var before = await SnapshotAsync(connectionId);
        var (grantsBefore, tokenRequestsBefore) = (fixture.Provider.AuthorizationCodeGrants, fixture.Provider.TokenRequests);

        for (var i = 0; i < CallbackCases; i++)
        {
            var url = RandomCallback(consumedCallback, consumedState);
            using var response = await Flow.CallbackAsync(url);

            await AssertAnsweredAsync(response, $"callback case {i}", url.ToString());
            Assert.True(IsClientError(response.StatusCode), $"callback case {i} answered {(int)response.StatusCode}: {url}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(before, await SnapshotAsync(connectionId));
        Assert.Equal(grantsBefore, fixture.Provider.AuthorizationCodeGrants);
        Assert.Equal(tokenRequestsBefore, fixture.Provider.TokenRequests);
    }

    private async Task<string> SnapshotAsync(string connectionId)
    {
        var list = await Flow.GetJsonAsync("/v1/connections?limit=500");
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        return $"{list.ToJsonString()}\n{connection.ToJsonString()}\n{credentials.ToJsonString()}";
    }

    private static async Task AssertAnsweredAsync(HttpResponseMessage response, string fuzzCase, string? input)
    {
        if ((int)response.StatusCode >= 500)
        {
            var shown = input is null ? "" : input[..Math.Min(input.Length, 500)];
            Assert.Fail($"{fuzzCase} (seed {Seed}) answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\ninput: {shown}");
        }
    }

    private static bool IsClientError(HttpStatusCode status) => (int)status is >= 400 and < 500;

    private string MutatedDefinition(JsonObject seed)
    {
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        var definition = (JsonObject)seed.DeepClone();
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            Mutate(definition, raw);
        }

        var text = definition.ToJsonString();
        foreach (var (marker, replacement) in raw)
        {
            text = text.Replace($"\"{marker}\"", replacement, StringComparison.Ordinal);
        }

        return random.Next(8) == 0 ? MutateText(text) : text;
    }

    /// <summary>Changes one random member anywhere in the tree; shapes JSON cannot build are spliced in as raw text.</summary>
    private void Mutate(JsonObject definition, Dictionary<string, string> raw)
    {
        var slots = new List<(JsonNode Parent, string? Key, int Index)>();
        Collect(definition, slots);
        var (parent, key, index) = slots[random.Next(slots.Count)];
        JsonNode? replacement;
        switch (random.Next(12))
        {
            case 0:
                if (parent is JsonObject obj)
                {
                    obj.Remove(key!);
                }
                else
                {
                    ((JsonArray)parent).RemoveAt(index);
                }

                return;
            case 1: replacement = null; break;
            case 2: replacement = Pick<JsonNode>([0, -1, 1e308, int.MaxValue, 0.5]); break;
            case 3: replacement = random.Next(2) == 0; break;
            case 4: replacement = random.Next(2) == 0 ? new JsonObject() : new JsonArray(); break;
            case 5: replacement = new string('A', Pick([5_000, 70_000, 300_000])); break;
            case 6: replacement = RawMarker(raw, Nested(random.Next(10, 400))); break;
            case 7: replacement = Pick(Templates); break;
            case 8: replacement = Pick(Odd); break;
            case 9: replacement = RawMarker(raw, Pick(["\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\u0000b\"", "1e99999", "-0", "\"\\uZZZZ\""])); break;
            case 10: replacement = new JsonArray(Enumerable.Range(0, Pick([100, 5_000])).Select(n => (JsonNode?)new JsonObject { ["key"] = $"f{n}", ["label"] = "${" }).ToArray()); break;
            default:
                if (parent is JsonObject target)
                {
                    target[Pick(Odd) + random.Next(1000).ToString(CultureInfo.InvariantCulture)] = Pick(Templates);
                }

                return;
        }

        if (parent is JsonObject o)
        {
            o[key!] = replacement;
        }
        else
        {
            ((JsonArray)parent)[index] = replacement;
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj.ToList())
            {
                slots.Add((obj, key, -1));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                slots.Add((array, null, i));
                if (array[i] is { } child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    private static JsonValue RawMarker(Dictionary<string, string> raw, string json)
    {
        var marker = Marker + raw.Count.ToString(CultureInfo.InvariantCulture);
        raw[marker] = json;
        return JsonValue.Create(marker);
    }

    private string Nested(int depth)
    {
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        return string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
    }

    private string MutateText(string text) => random.Next(9) switch
    {
        7 => text.Replace("\":\"", "\":\"\\udc00", StringComparison.Ordinal),
        0 => text[..random.Next(text.Length)],
        1 => text.Insert(random.Next(text.Length), Pick(["{", "]", "\"", ",", "\\", "\u0000", "${"])),
        2 => text.Remove(random.Next(text.Length), 1),
        3 => "\uFEFF" + text,
        4 => text + " trailing",
        5 => text.Insert(1, "\"authorization\":1,"),
        6 => Pick(["", "null", "[]", "\"text\"", "{}", "{\"a\":1,\"a\":2}"]),
        _ => text.Replace("\"", "'", StringComparison.Ordinal),
    };

    /// <summary>
    /// A well-formed start (published version, valid ids) differs only in its return URL, so it shows whether the
    /// allowlist holds; the others vary everything. Returns the return URL when it was surely sent as is.
    /// </summary>
    private async Task<(HttpResponseMessage Response, string Input, string? SentReturnUrl)> PostRandomStartAsync(bool wellFormed, string? returnUrl)
    {
        var body = wellFormed
            ? new JsonObject { ["pluginId"] = StartPlugin, ["versionId"] = "v1", ["ownerId"] = Pick(["user-1", "user-2"]) }
            : new JsonObject
            {
                ["pluginId"] = Pick<JsonNode?>([StartPlugin, "unpublished", null, 42, .. Odd.Select(o => (JsonNode?)o)]),
                ["versionId"] = Pick<JsonNode?>(["v1", "v2", null, "", new string('v', 200)]),
                ["ownerId"] = Pick<JsonNode?>(["user-1", null, "", "o w n e r", "🙂"]),
                ["fields"] = RandomFields(),
            };
        if (returnUrl is not null || random.Next(2) == 0)
        {
            body["returnUrl"] = returnUrl;
        }

        if (random.Next(6) == 0)
        {
            body["connectionId"] = Pick<JsonNode?>(["conn_" + Convert.ToHexStringLower(RandomBytes(16)), "../../x", "", null, 7]);
        }

        var text = body.ToJsonString();
        var mutated = !wellFormed && random.Next(5) == 0;
        if (mutated)
        {
            text = MutateText(text);
        }

        using var content = new StringContent(text, Encoding.UTF8, "application/json");
        return (await Flow.Api.PostAsync("/v1/connections", content), text, mutated ? null : returnUrl);
    }

    private JsonNode? RandomFields() => random.Next(9) switch
    {
        0 => null,
        1 => new JsonObject(),
        2 => new JsonObject { ["subdomain"] = "acme" },
        3 => new JsonObject { ["k"] = new string('x', 5000) },
        4 => new JsonObject(Enumerable.Range(0, 150).Select(n => KeyValuePair.Create<string, JsonNode?>($"f{n}", "v"))),
        5 => new JsonObject { [""] = "v", ["a"] = null },
        6 => new JsonObject { ["a"] = 1, ["b"] = new JsonArray() },
        7 => new JsonArray("a"),
        _ => new JsonObject { [Pick(Odd) + "k"] = Pick(Templates) },
    };

    private async Task<(HttpResponseMessage Response, string Input, string? SentReturnUrl)> GetRandomAuthorizeAsync(bool wellFormed, string? returnUrl)
    {
        var query = new StringBuilder("/v1/connections/authorize?");
        void Add(string name, string? value, bool always = false)
        {
            if (value is not null && (always || random.Next(6) > 0))
            {
                query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
            }
        }

        Add("pluginId", wellFormed ? StartPlugin : Pick([StartPlugin, .. Odd]), always: wellFormed);
        Add("versionId", wellFormed ? "v1" : Pick(["v1", "v9", ""]), always: wellFormed);
        Add("ownerId", wellFormed ? "user-1" : Pick(["user-1", .. Odd]), always: wellFormed);
        Add("returnUrl", returnUrl, always: true);
        if (!wellFormed)
        {
            Add("connectionId", Pick(["conn_unknown", "", "a/b"]));
            Add("field." + Pick(Odd), Pick(Templates));
        }

        var path = query.ToString();
        return (await Flow.Api.GetAsync(path), path, returnUrl);
    }

    private Uri RandomCallback(Uri consumedCallback, string consumedState)
    {
        var callback = fixture.Host.CallbackUrl;
        string RandomState() => Convert.ToBase64String(RandomBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string Escaped(string value) => Uri.EscapeDataString(value);
        var query = random.Next(14) switch
        {
            0 => "code=abc",
            1 => "state=&code=abc",
            2 => $"state={RandomState()}&code={RandomState()}",
            3 => $"state={new string('s', Pick([513, 2000, 5000]))}&code=abc",
            4 => $"state={Escaped(consumedState)}&state={RandomState()}&code=abc",
            5 => consumedCallback.Query.TrimStart('?'),
            6 => $"state={Escaped(consumedState)}&code={RandomState()}&iss=https%3A%2F%2Fattacker.example",
            7 => $"state={RandomState()}&{string.Join('&', Enumerable.Range(0, random.Next(1, 10)).Select(_ => $"{Escaped(Pick(Odd) + "p")}={Escaped(Pick(Odd))}"))}",
            8 => $"state={RandomState()}&{string.Join('&', Enumerable.Range(0, random.Next(51, 80)).Select(n => $"p{n}=v"))}",
            9 => $"state={RandomState()}&error=access_denied&error_description={Escaped("<script>alert(1)</script>")}",
            10 => $"state={Escaped(Pick(Odd))}&code=abc",
            11 => $"state={RandomState()}&{new string('k', 200)}=v",
            12 => $"state={RandomState()}&code={new string('c', 4097)}",
            _ => $"state={RandomState()}&code={new string('c', 9000)}",
        };
        return new Uri(callback, "?" + query);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
