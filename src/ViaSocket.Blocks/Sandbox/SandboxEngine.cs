using System.Globalization;
using Acornima.Ast;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// One fresh Jint engine with every sandbox limit applied and the prelude installed. Built per run (a reused
/// engine would carry prototype tampering from one run into the next) and disposed after it.
/// </summary>
internal sealed class SandboxEngine : IDisposable
{
    /// <summary>Name given to block and expression sources, so error stacks can be mapped back to author lines.</summary>
    public const string SourceName = "block.js";

    /// <summary>Block code starts on this line of the wrapped source.</summary>
    private const int WrapperLeadingLines = 1;

    private static readonly Lazy<Prepared<Script>> Prelude = new(() =>
    {
        using var stream = typeof(SandboxEngine).Assembly.GetManifestResourceStream("ViaSocket.Blocks.Sandbox.prelude.js")
            ?? throw new InvalidOperationException("The sandbox prelude is not embedded.");
        using var reader = new StreamReader(stream);
        return Engine.PrepareScript(reader.ReadToEnd(), "prelude.js", strict: true);
    });

    private readonly Engine _engine;
    private readonly OperationDeadlineConstraint _deadline = new();
    private readonly CrossThreadAllocationConstraint _allocation;
    private readonly JsValue _run;

    public SandboxEngine(SandboxOptions options, SandboxBridge bridge, TimeSpan budget, CancellationToken cancellationToken)
    {
        _allocation = new CrossThreadAllocationConstraint(options.MaxMemoryBytes);
        bridge.OnResume = _allocation.MarkResumed;
        _engine = new Engine(engineOptions =>
        {
            engineOptions.ExperimentalFeatures = ExperimentalFeature.TaskInterop;
            engineOptions.Strict = true;
            engineOptions.Host.StringCompilationAllowed = false;
            engineOptions.Interop.Enabled = false;
            engineOptions.Culture = CultureInfo.InvariantCulture;
            engineOptions.TimeZone = TimeZoneInfo.Utc;
            engineOptions.Constraints.MaxRecursionDepth = options.MaxRecursionDepth;
            // Without it, unbounded recursion through deep native frames ends the process with a stack overflow.
            engineOptions.Constraints.StackOverflowGuard = true;
            engineOptions.Constraints.RegexTimeout = options.RegexTimeout;
            engineOptions.Constraints.MaxArraySize = options.MaxArrayLength;
            // Only a backstop: the run's own budget (deadline constraint and cancellation) must fire first, so
            // a timeout is always reported as one.
            engineOptions.Constraints.PromiseTimeout = budget + budget + TimeSpan.FromSeconds(1);
            engineOptions.MaxStatements(options.MaxStatements);
            engineOptions.Constraint(_deadline);
            engineOptions.Constraint(_allocation);
        });

        StringGrowthGuard.Install(_engine, options.MaxMemoryBytes, options.MaxArrayLength);

        // Armed before the prelude runs and never re-armed: one budget for the whole run, awaits included.
        _deadline.Begin(budget, cancellationToken);
        var factory = _engine.Evaluate(Prelude.Value);
        var prelude = _engine.Invoke(factory, CreateHost(bridge)).AsObject();
        _run = prelude.Get("run");
        InstallGlobals(prelude.Get("globals").AsObject());
    }

    /// <summary>Bytes the run has allocated so far (summed across threads).</summary>
    public long AllocatedBytes => _allocation.AllocatedBytes;

    /// <summary>Parses block code into the body of an async function taking <c>context</c>.</summary>
    /// <exception cref="ScriptPreparationException">The code has a syntax error.</exception>
    /// <exception cref="RefusedSyntaxException">The code uses <c>import()</c>.</exception>
    public static Prepared<Script> PrepareBlock(string code)
        => Prepare("(async function (context) { 'use strict';\n" + code + "\n})");

    /// <summary>Parses a template expression into a function taking <c>context</c> and returning the expression.</summary>
    /// <exception cref="ScriptPreparationException">The expression has a syntax error.</exception>
    /// <exception cref="RefusedSyntaxException">The expression uses <c>import()</c>.</exception>
    public static Prepared<Script> PrepareExpression(string expression)
        => Prepare("(function (context) { 'use strict';\nreturn (" + expression + "\n); })");

    private static Prepared<Script> Prepare(string wrappedSource)
    {
        var prepared = Engine.PrepareScript(wrappedSource, SourceName, strict: true);

        // Without a module loader the engine answers import() with a host exception no script can catch.
        return DynamicImport.Find(prepared.Program!) is { } import
            ? throw new RefusedSyntaxException(DynamicImport.Description, import.Location.Start.Line)
            : prepared;
    }

    /// <summary>The author's line for a line of the wrapped source.</summary>
    public static int? AuthorLine(int? wrappedLine) => wrappedLine is > WrapperLeadingLines ? wrappedLine - WrapperLeadingLines : null;

    /// <summary>Runs a prepared block; returns the prelude's outcome envelope (JSON text).</summary>
    public async Task<string> RunAsync(Prepared<Script> block, string contextJson, CancellationToken cancellationToken)
    {
        var function = _engine.Evaluate(block);
        var promise = _engine.Invoke(_run, function, contextJson);
        var outcome = await promise.UnwrapIfPromiseAsync(cancellationToken).ConfigureAwait(false);
        return outcome.AsString();
    }

    /// <summary>Evaluates a prepared expression synchronously; returns the same outcome envelope.</summary>
    public string Evaluate(Prepared<Script> expression, string contextJson)
    {
        var function = _engine.Evaluate(expression);
        var promise = _engine.Invoke(_run, function, contextJson);
        return promise.UnwrapIfPromise().AsString();
    }

    public void Dispose()
    {
        _deadline.End();
        _engine.Dispose();
    }

    private void InstallGlobals(ObjectInstance globals)
    {
        // Atomics.wait blocks the thread past every deadline; a block has no use for shared memory either.
        _engine.Global.Delete("Atomics");
        _engine.Global.Delete("SharedArrayBuffer");
        _engine.Global.Delete("ShadowRealm");

        // Lazy: building axios, URLSearchParams and Buffer is most of a fresh engine's cost, and a block that
        // does not read a global never pays for it.
        foreach (var name in globals.GetOwnPropertyKeys())
        {
            _engine.Advanced.AddLazyGlobal(
                name.ToString(),
                globals.Get(name),
                static (engine, factory) => engine.Invoke(factory),
                PropertyFlag.Writable | PropertyFlag.Configurable);
        }
    }

    private JsObject CreateHost(SandboxBridge bridge)
    {
        var host = new JsObject(_engine);
        host.Set("send", new ClrFunction(_engine, "send", (_, arguments) =>
            JsValue.FromObject(_engine, bridge.SendAsync(Argument(arguments, 0)))));
        host.Set("log", new ClrFunction(_engine, "log", (_, arguments) =>
        {
            bridge.Log(Argument(arguments, 0), Argument(arguments, 1));
            return JsValue.Undefined;
        }));
        host.Set("toBinary", new ClrFunction(_engine, "toBinary", (_, arguments) =>
            Convert(() => SandboxBridge.ToBinary(Argument(arguments, 0), Argument(arguments, 1)))));
        host.Set("fromBinary", new ClrFunction(_engine, "fromBinary", (_, arguments) =>
            Convert(() => SandboxBridge.FromBinary(Argument(arguments, 0), Argument(arguments, 1)))));
        return host;
    }

    private static string Argument(JsValue[] arguments, int index)
        => index < arguments.Length && arguments[index].IsString() ? arguments[index].AsString() : "";

    private JsValue Convert(Func<string> conversion)
    {
        try
        {
            return new JsString(conversion());
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            // A sanitized JavaScript error the script can catch; the .NET exception never crosses.
            throw new JavaScriptException(_engine.Intrinsics.TypeError, "The value is not valid in the requested encoding.");
        }
    }
}
