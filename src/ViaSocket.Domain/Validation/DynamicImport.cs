using Acornima.Ast;

namespace ViaSocket.Domain.Validation;

/// <summary>
/// <c>import()</c> asks the engine for a module loader. Blocks and template expressions have none and must load
/// no code, and the engine reports the missing loader as a host exception instead of a JavaScript error, so the
/// expression is refused wherever code is parsed, like a syntax error.
/// </summary>
public static class DynamicImport
{
    public const string Description = "import() is not available: blocks cannot load modules";

    /// <summary>The first <c>import()</c> expression in <paramref name="code"/>, or null.</summary>
    public static ImportExpression? Find(Node code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.DescendantNodesAndSelf().OfType<ImportExpression>().FirstOrDefault();
    }
}
