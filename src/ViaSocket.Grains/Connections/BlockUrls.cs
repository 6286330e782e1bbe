using System.Text.Json.Nodes;
using ViaSocket.Blocks;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Grains.Connections;

internal static class BlockUrls
{
    /// <summary>Where a block of <paramref name="version"/> may send requests, for the connection whose context this is.</summary>
    public static BlockUrlPolicy For(CompiledAuthVersion version, JsonObject context, IScriptExpressionEvaluator? evaluator) =>
        new(version.AllowedUrlPolicyFor(context, evaluator), version.HostnameFields);
}
