using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>One hostile block and how it must end.</summary>
/// <param name="Name">Readable test-case name: what the block tries, and how.</param>
/// <param name="Code">The block; <c>{provider}</c> stands for the loopback provider's base URL.</param>
/// <param name="ErrorCode">The <see cref="BlockErrorCodes"/> value the run must fail with; null when it must succeed (the harm is in what it leaves behind).</param>
/// <param name="MessageFragment">Text the failure message must contain, when the code alone does not say why.</param>
/// <param name="UnboundedStatements">Lift the statement cap, so the wall clock (or the runner's watchdog) has to stop it.</param>
internal sealed record HostileBlock(string Name, string Code, string? ErrorCode, string? MessageFragment = null, bool UnboundedStatements = false)
{
    public bool IsMemoryBomb => ErrorCode == BlockErrorCodes.MemoryExceeded;

    /// <summary>
    /// A few seconds for every hostile run: short where the timeout is the expected end, longer where it is only a
    /// backstop, so a loaded machine does not turn another limit into a timeout.
    /// </summary>
    public void ApplyLimits(SandboxOptions options)
    {
        options.Timeout = TimeSpan.FromSeconds(ErrorCode == BlockErrorCodes.Timeout ? 1.5 : 5);
        if (UnboundedStatements)
        {
            options.MaxStatements = int.MaxValue - 1;
        }
    }
}

/// <summary>
/// Blocks an author could publish to hurt the service or other connections: memory and CPU bombs, runaway
/// recursion and regular expressions, oversized JSON, tampering with shared intrinsics, and reaching for modules,
/// the host or the CLR. Each must end with its own classification and leave nothing for the next run.
/// </summary>
internal static class EscapeCorpus
{
    private const string Memory = BlockErrorCodes.MemoryExceeded;
    private const string Limit = BlockErrorCodes.LimitExceeded;
    private const string Script = BlockErrorCodes.ScriptError;
    private const string Syntax = BlockErrorCodes.SyntaxError;
    private const string AwaitResolved = "await Promise.resolve(1);";
    private const string AwaitProvider = "await axios.get('{provider}/json');";

    public static IReadOnlyList<HostileBlock> All { get; } =
    [
        // Memory bombs in one statement: the interpreter's per-statement allocation check comes too late for them.
        new("memory: 'x'.repeat(256 MiB)", "return 'x'.repeat(256 * 1024 * 1024).length;", Memory),
        new("memory: 'x'.padStart(3e8)", "return 'x'.padStart(3e8).length;", Memory),
        new("memory: Array(1e9).join('x')", "return Array(1e9).join('x').length;", Limit, $"({SandboxLimits.ArrayLength})"),
        new("memory: join of 1e4 strings of 50,000 characters", "return Array(1e4).fill('x'.repeat(50000)).join('').length;", Memory),
        new("memory: typed array of 1 GiB", "return new Uint8Array(1024 * 1024 * 1024).length;", Memory),
        new("memory: array literal grown without end", "const a = []; for (;;) { a.push(new Array(10000).fill(a.length)); }", Memory),
        new("memory: string doubling loop", "let s = 'x'; for (;;) { s += s; }", Memory),
        new("memory after await: 'x'.repeat(256 MiB)", AwaitResolved + "return 'x'.repeat(256 * 1024 * 1024).length;", Memory),
        new("memory after a provider call: 'x'.repeat(256 MiB)", AwaitProvider + "return 'x'.repeat(256 * 1024 * 1024).length;", Memory),
        new("memory after await: 'x'.padStart(3e8)", AwaitResolved + "return 'x'.padStart(3e8).length;", Memory),
        new("memory after a provider call: typed array of 1 GiB", AwaitProvider + "return new Uint8Array(1024 * 1024 * 1024).length;", Memory),
        new("memory after a provider call: string doubling loop", AwaitProvider + "let s = 'x'; for (;;) { s += s; }", Memory),

        // CPU: the statement cap, or with it lifted the wall clock, whichever stack the loop runs on.
        new("loop: while (true) under the statement cap", "while (true) { }", Limit, $"({SandboxLimits.Statements})"),
        new("loop: inside a promise callback", "await Promise.resolve().then(() => { for (;;) { } });", Limit, $"({SandboxLimits.Statements})"),
        new("loop: inside a getter", "const o = { get x() { for (;;) { } } }; return o.x;", Limit, $"({SandboxLimits.Statements})"),
        new("loop: for (;;) after await, no statement cap", AwaitResolved + "for (;;) { }", BlockErrorCodes.Timeout, UnboundedStatements: true),
        new("loop: inside a promise callback, no statement cap", "await new Promise((resolve) => resolve()).then(() => { for (;;) { } });", BlockErrorCodes.Timeout, UnboundedStatements: true),
        new("loop: inside a getter read by JSON.stringify, no statement cap", "return JSON.stringify({ get x() { for (;;) { } } });", BlockErrorCodes.Timeout, UnboundedStatements: true),

        // Recursion, plain and through native frames.
        new("recursion: plain", "const f = () => f() + 1; return f();", Limit, $"({SandboxLimits.RecursionDepth})"),
        new("recursion: JSON.stringify calling toJSON", "const o = { toJSON() { return JSON.stringify(o); } }; return JSON.stringify(o);", Limit, $"({SandboxLimits.RecursionDepth})"),
        new("recursion: a getter reading itself", "const o = { get x() { return this.x; } }; return o.x;", Limit, $"({SandboxLimits.RecursionDepth})"),
        new("recursion: a proxy trap reading through itself", "const p = new Proxy({}, { get: (target, key, receiver) => receiver[key] }); return p.x;", Limit, $"({SandboxLimits.RecursionDepth})"),

        // Regular expressions with catastrophic backtracking.
        new("redos: nested quantifier in test", "return /(x+x+)+y/.test('x'.repeat(5000));", Limit, $"({SandboxLimits.RegexTimeout})"),
        new("redos: overlapping alternation in replace", "return ('a'.repeat(45) + '!').replace(/^(a|aa)+$/, '');", Limit, $"({SandboxLimits.RegexTimeout})"),

        // Oversized JSON in and out.
        new("json: JSON.parse of a 100 M-character string", "return JSON.parse('\"' + 'x'.repeat(1e8) + '\"').length;", Memory),
        new("json: JSON.stringify of a wide object", "const o = {}; for (let i = 0; i < 60000; i++) { o['k' + i] = 'v'.repeat(1000) + i; } return JSON.stringify(o).length;", Memory),
        new("json: a 2 M-character result", "return 'x'.repeat(2 * 1024 * 1024);", Limit, $"({SandboxLimits.ResultSize})"),
        new("json: a result of 90,000 entries", "return Array.from({ length: 90000 }, (_, i) => 'entry-' + i);", Limit, $"({SandboxLimits.ResultSize})"),

        // Tampering with shared intrinsics: harmless in its own run, and must be gone in the next one.
        new("pollution: Object.prototype", "Object.prototype.polluted = 'yes'; Object.defineProperty(Object.prototype, 'then', { get() { return undefined; } }); Object.prototype.toString = () => 'hijacked'; return 1;", null),
        new("pollution: Array.prototype", "Array.prototype.map = function () { return ['hijacked']; }; Array.prototype[Symbol.iterator] = function* () { yield 'hijacked'; }; Array.prototype.polluted = 1; return 1;", null),
        new("pollution: JSON", "JSON.parse = () => 'hijacked'; JSON.stringify = () => '\"hijacked\"'; return 1;", null),
        new("pollution: Promise", "const then = Promise.prototype.then; Promise.prototype.then = function (ok, ko) { return then.call(this, () => ok && ok('hijacked'), ko); }; Promise.resolve = () => 'hijacked'; return 1;", null),
        new("pollution: frozen Object.prototype and Function.prototype", "Object.freeze(Object.prototype); Object.freeze(Function.prototype); Object.freeze(Array.prototype); return 1;", null),

        // Modules, the host and the CLR: refused or not defined, never a value.
        new("import(): dynamic import of a node module", "return await import('fs');", Syntax),
        new("import: a static import statement", "import fs from 'fs'; return fs.readFileSync('/etc/passwd', 'utf8');", Syntax),
        new("host: process.env", "return process.env;", Script, "ReferenceError: process is not defined"),
        new("host: require('child_process')", "return require('child_process').execSync('id').toString();", Script, "ReferenceError: require is not defined"),
        new("host: globalThis.constructor to Function", "return globalThis.constructor.constructor('return process')();", Script, "String compilation has been disabled"),
        new("clr: importNamespace('System.IO')", "return importNamespace('System.IO').File.ReadAllText('/etc/passwd');", Script, "ReferenceError: importNamespace is not defined"),
        new("clr: System.Diagnostics.Process.Start", "return System.Diagnostics.Process.Start('id').Id;", Script, "ReferenceError: System is not defined"),
        new("clr: GetType() on a JavaScript value", "return ({}).GetType().Assembly.Location;", Script, "TypeError"),
        new("clr: the caller chain up to the prelude", "return (function () { return arguments.callee.caller; })();", Script, "TypeError"),
    ];

    public static HostileBlock Named(string name) => All.Single(entry => entry.Name == name);
}
