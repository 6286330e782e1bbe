using Microsoft.AspNetCore.Diagnostics;
using ViaSocket.Domain.Security;

namespace ViaSocket.Server.Apis;

/// <summary>
/// Turns stored state that cannot be decrypted (altered, copied from another record, or written under a master key
/// that is no longer configured) into a clear problem instead of an anonymous 500.
/// </summary>
internal sealed partial class StorageExceptionHandler(ILogger<StorageExceptionHandler> logger) : IExceptionHandler
{
    public const string Undecryptable = "storage.undecryptable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SecretDecryptionException decryption)
            {
                LogUndecryptable(logger, decryption.Failure, decryption.KeyId ?? "none");
                httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await Results.Problem(Problems.Create(
                    StatusCodes.Status500InternalServerError,
                    Undecryptable,
                    "The stored state of this object cannot be decrypted: it was altered, copied from another record, or its master key is not configured.")).ExecuteAsync(httpContext);
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored grain state could not be decrypted ({Failure}, key {KeyId})")]
    private static partial void LogUndecryptable(ILogger logger, SecretDecryptionFailure failure, string keyId);
}
