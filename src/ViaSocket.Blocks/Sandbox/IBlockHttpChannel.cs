namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Where a block's outbound requests go once they leave the sandbox: the guarded client in the silo, directly
/// (<see cref="GuardedBlockHttp"/>) or relayed from a runner process. Takes and returns the prelude's request and
/// outcome envelopes (JSON text); never faults for a failed request, it answers with a failure envelope.
/// </summary>
internal interface IBlockHttpChannel
{
    Task<string> SendAsync(string requestJson, CancellationToken cancellationToken);
}
