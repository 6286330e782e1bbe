using System.Text.Json.Nodes;
using Orleans.Concurrency;
using ViaSocket.AuthVersions;
using ViaSocket.Blocks;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;
using ViaSocket.Grains.Connections;

namespace ViaSocket.Grains.AuthVersions;

[StatelessWorker]
internal sealed class BlockTestRunGrain(AuthVersionCatalog catalog, IBlockRunner blocks, IScriptExpressionEvaluator? evaluator = null) : Grain, IBlockTestRunGrain
{
    public const string UnknownBlock = "test_run.unknown_block";
    public const string NoSuchBlock = "test_run.block_not_defined";
    public const string InvalidSample = "test_run.invalid_sample";

    public async Task<BlockTestRunResult> RunAsync(BlockTestRun request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var workspaceId = this.GetPrimaryKeyString();
        var stored = await GrainFactory.GetGrain<IAuthVersionGrain>(GrainKeys.AuthVersion(workspaceId, request.PluginId, request.VersionId)).GetForTestRunAsync();
        if (stored is null)
        {
            return Failed(AuthVersionErrorCodes.NotFound, $"Version '{request.VersionId}' of plugin '{request.PluginId}' does not exist.");
        }

        var version = catalog.Compile(stored);
        ApiBlock? block = request.BlockKind switch
        {
            BlockKinds.AccessToken => version.Definition.AccessToken,
            BlockKinds.RefreshToken => version.Definition.RefreshToken,
            BlockKinds.RevokeToken => version.Definition.RevokeToken,
            BlockKinds.TestMe => version.Definition.TestMe,
            _ => null,
        };
        if (block is null)
        {
            return request.BlockKind is BlockKinds.AccessToken or BlockKinds.RefreshToken or BlockKinds.RevokeToken or BlockKinds.TestMe
                ? Failed(NoSuchBlock, $"This version defines no {request.BlockKind} block.")
                : Failed(UnknownBlock, "block must be accessToken, refreshToken, revokeToken or testMe.");
        }

        // The samples end up inside the context, a level deeper, and must stay within what JSON can be written at.
        if (BoundedJson.TryParse(request.AuthDataJson, BoundedJson.DefaultMaxDepth, out var sample) != BoundedJsonOutcome.Parsed || sample is not JsonObject authData)
        {
            return Failed(InvalidSample, $"authData must be a JSON object nested at most {BoundedJson.DefaultMaxDepth} levels.");
        }

        JsonNode? inputData = null;
        if (request.InputDataJson is not null && BoundedJson.TryParse(request.InputDataJson, BoundedJson.DefaultMaxDepth, out inputData) != BoundedJsonOutcome.Parsed)
        {
            return Failed(InvalidSample, $"inputData must be JSON nested at most {BoundedJson.DefaultMaxDepth} levels.");
        }
        var context = ConnectionContext.Create(version, authData, request.RedirectUri, request.CodeVerifier, inputData);
        var run = await blocks.RunAsync(new BlockRunRequest($"test:{version.Revision}:{request.BlockKind}", block, context, BlockUrls.For(version, context, evaluator), new BlockRunOptions { CaptureDiagnostics = true })
        {
            // A test run sends what a connection would, so an author sees the provider accept the client's authentication.
            ClientAuthentication = ClientAuthModes.ForBlock(version.Definition.Authorization, request.BlockKind),
            // Drafts run in their own runners, round-robin across workspaces, never beside a connection's blocks.
            Lane = BlockRunLane.TestRuns,
            Tenant = workspaceId,
        });

        // The runner has masked the client secret in everything the run returns.
        var console = run.Console.Select(line => new BlockTestConsoleLine(line.Level, line.Message)).ToList();
        var http = run.HttpTrace.Select(call => new BlockTestHttpCall(call.Method, call.Url, call.Status, call.Duration.TotalMilliseconds, call.Error)).ToList();
        var failure = run.Failure is { } f
            ? new BlockTestFailure(f.Code, f.Kind.ToString(), f.Message, f.HttpStatus, f.ResponseData?.ToJsonString())
            : null;
        return new BlockTestRunResult(run.Result?.ToJsonString(), failure, console, http, run.Duration.TotalMilliseconds);
    }

    private static BlockTestRunResult Failed(string code, string message) =>
        new(null, new BlockTestFailure(code, "Request", message, null, null), [], [], 0);
}
