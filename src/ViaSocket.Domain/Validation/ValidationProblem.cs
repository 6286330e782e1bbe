namespace ViaSocket.Domain.Validation;

/// <summary>One problem in a definition.</summary>
/// <param name="Pointer">RFC 6901 JSON pointer to the offending member, e.g. <c>/fields/2/key</c> ("" for the whole document).</param>
/// <param name="Code">A stable code from <see cref="ValidationCodes"/>.</param>
/// <param name="Message">Author-facing explanation; never contains the client secret.</param>
public sealed record ValidationProblem(string Pointer, string Code, string Message);
