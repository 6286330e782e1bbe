namespace ViaSocket.Testing.Hostile;

/// <summary>
/// Field values an attacker types into a connect form to move a request elsewhere: separators, user info, encoded
/// and Unicode look-alikes of '/' and '.', line breaks, dot segments, whole URLs and IP literals. None of them is a
/// DNS label, so each must be refused wherever it would land in a host.
/// </summary>
public static class HostileFieldValues
{
    public static IReadOnlyList<string> All { get; } =
    [
        "attacker.example/x?",
        "a.b/c?",
        "attacker.example",
        "@attacker.example",
        "user@attacker.example",
        "a:@attacker.example",
        "%40attacker.example",
        "%2F",
        "a%2Fb",
        "%2e%2e",
        "a%00",
        "attacker.example%23",
        "\\attacker.example",
        "a\\b",
        "attacker.example\\@good.example",
        "attacker\u3002example",
        "attacker\uFF0Eexample",
        "attacker\uFF61example",
        "\uFF41\uFF54\uFF54\uFF41\uFF43\uFF4B",
        "a\r\nHost: attacker.example",
        "a\nb",
        "a\rb",
        "a\tb",
        "a\0b",
        "a b",
        "..",
        ".",
        "a.",
        "../../admin",
        "a/../../",
        "https://attacker.example",
        "http://attacker.example/",
        "//attacker.example",
        "javascript:alert(1)",
        "[::1]",
        "[2001:db8::1]",
        "::ffff:127.0.0.1",
        "127.0.0.1",
        "169.254.169.254",
        "attacker.example#",
        "a#b",
        "a?b",
        "a:8080",
        "a;b",
        "a&b=c",
        "a,b",
        "*",
        "-leading",
        "trailing-",
        "a_b",
        "\u202Eelpmaxe",
        "a\u200Bb",
        new string('a', 64),
    ];
}
