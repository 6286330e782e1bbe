using ViaSocket.Blocks.Declarative;
using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks;

/// <summary>Runs an <see cref="Domain.Definitions.ApiBlock"/>: JavaScript code in the sandbox, or a declarative request.</summary>
internal sealed class BlockRunner(JavaScriptBlockRunner javaScript, DeclarativeRequestRunner declarative) : IBlockRunner
{
    public Task<BlockRunResult> RunAsync(BlockRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Block switch
        {
            { Code: not null, Request: null } => javaScript.RunAsync(request, cancellationToken),
            { Code: null, Request: not null } => declarative.RunAsync(request, cancellationToken),
            _ => Task.FromResult(new BlockRunResult(null,
                new BlockFailure(BlockFailureKind.Script, BlockErrorCodes.ScriptError, "An API block needs exactly one of code or request."),
                [], [], TimeSpan.Zero)),
        };
    }
}
