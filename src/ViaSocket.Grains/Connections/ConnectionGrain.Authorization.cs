using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Grains.Connections;

/// <summary>Authorization: starting and completing the OAuth flow, adopting a grant another connection received, and disconnecting.</summary>
internal sealed partial class ConnectionGrain
{
    public static readonly TimeSpan AuthorizationLifetime = TimeSpan.FromMinutes(10);

    public async Task<StartAuthorizationResult> StartAuthorizationAsync(StartAuthorization command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.WorkspaceId != WorkspaceId)
        {
            return StartFailure(ConnectionErrorCodes.WorkspaceMismatch, "The connection belongs to another workspace.");
        }

        if (state.RecordExists && (S.OwnerId != command.OwnerId || S.PluginId != command.PluginId))
        {
            return StartFailure(ConnectionErrorCodes.OwnerMismatch, "A reconnect must keep the connection's owner and plugin.");
        }

        var version = await catalog.GetPublishedAsync(WorkspaceId, command.PluginId, command.VersionId);
        if (version is null)
        {
            return StartFailure(ConnectionErrorCodes.VersionNotPublished, $"Version '{command.VersionId}' of plugin '{command.PluginId}' is not published.");
        }

        var (fields, problems) = FieldValues.Validate(version.Definition.Fields, command.Fields, version.UrlFieldUses);
        if (problems.Count > 0)
        {
            return StartFailure(ConnectionErrorCodes.InvalidFields, string.Join(" ", problems.Select(p => p.Message)));
        }

        var (oauthClientId, app, clientError) = await ChooseOAuthClientAsync(command);
        if (clientError is not null)
        {
            return StartFailure(clientError.Code, clientError.Message);
        }

        var (scopes, scopeError) = RequestedScopes.Resolve(version.Definition.Authorization!, command.OptionalScopes);
        if (scopeError is not null)
        {
            return StartFailure(ConnectionErrorCodes.UnknownScope, scopeError);
        }

        var oauthState = OAuthSecrets.CreateState();
        var nonce = IdTokenPolicy.Requested(scopes) ? OAuthSecrets.CreateNonce() : null;
        var pkce = version.Definition.Authorization!.Pkce;
        var verifier = pkce == PkceModes.None ? null : OAuthSecrets.CreateCodeVerifier();
        Uri authorizeUrl;
        try
        {
            var context = ConnectionContext.Create(version, fields, command.RedirectUri, codeVerifier: null, scopes: scopes, app: app);
            authorizeUrl = AuthorizeUrlBuilder.Build(version, new AuthorizeRequest(context, command.RedirectUri, oauthState, OAuthSecrets.CodeChallenge(verifier, pkce), scopes, nonce), evaluator);
        }
        catch (TemplateRenderException exception)
        {
            return StartFailure(ConnectionErrorCodes.TemplateFailed, exception.Message);
        }

        var now = time.GetUtcNow();
        var attempt = new AuthorizationAttempt
        {
            AttemptId = Guid.NewGuid().ToString("N"),
            PluginId = command.PluginId,
            VersionId = command.VersionId,
            FieldsJson = fields.ToJsonString(),
            RedirectUri = command.RedirectUri,
            ReturnUrl = command.ReturnUrl,
            ExpiresAt = now + AuthorizationLifetime,
            OAuthClientId = oauthClientId,
            Scopes = [.. scopes],
            Nonce = nonce,
        };
        await GrainFactory.GetGrain<IPendingAuthorizationGrain>(OAuthSecrets.StateKey(oauthState)).CreateAsync(new PendingAuthorization(
            WorkspaceId, ConnectionId, attempt.AttemptId, verifier, command.ReturnUrl, attempt.ExpiresAt));

        if (!state.RecordExists)
        {
            (S.WorkspaceId, S.OwnerId, S.PluginId, S.VersionId) = (WorkspaceId, command.OwnerId, command.PluginId, command.VersionId);
            S.Status = ConnectionStatus.Pending;
            S.CreatedAt = now;
            Record(ConnectionEventKinds.Created, null);
        }

        S.Attempt = attempt;
        S.UpdatedAt = now;
        await state.WriteStateAsync();
        NoteStatusPersisted();
        await directory.UpsertAsync(DirectoryEntry());
        return new StartAuthorizationResult(ConnectionId, authorizeUrl.AbsoluteUri, attempt.ExpiresAt, null);
    }

    public async Task<AuthorizationOutcome> CompleteAuthorizationAsync(AuthorizationCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (S.Attempt is not { } attempt || attempt.AttemptId != callback.AttemptId)
        {
            return Outcome(new ConnectionError(ConnectionErrorCodes.AttemptMismatch, "This authorization attempt was superseded by a newer one."));
        }

        S.Attempt = null;
        if (callback.Parameters.TryGetValue("error", out var providerError))
        {
            var error = new ConnectionError(ConnectionErrorCodes.ProviderError, ProviderErrors.Describe(providerError, callback.Parameters.GetValueOrDefault("error_description")));
            return await FailAttemptAsync(error);
        }

        var version = await catalog.GetPublishedAsync(WorkspaceId, attempt.PluginId, attempt.VersionId);
        if (version is null)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.VersionNotPublished, "The auth version is no longer available."));
        }

        // RFC 9207: when the version names its issuer, an iss that differs means a mix-up attack. A missing iss is
        // accepted (not every provider implements it) unless the version requires it: then it may have been stripped.
        if (version.Definition.Authorization is { Issuer: { } issuer } expected)
        {
            if (!callback.Parameters.TryGetValue("iss", out var receivedIssuer))
            {
                if (expected.RequireIssuerParameter)
                {
                    return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.IssuerMissing, "The authorization response did not name its issuer (iss), which this provider always sends."));
                }
            }
            else if (receivedIssuer != issuer)
            {
                return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.IssuerMismatch, "The authorization response came from an unexpected issuer."));
            }
        }

        // The code was issued to the attempt's client: exchanging it needs that client, even if since deleted or rotated.
        var (app, clientError) = await OAuthAppAsync(attempt.OAuthClientId, attempt.PluginId, attempt.VersionId);
        if (clientError is not null)
        {
            return await FailAttemptAsync(clientError with { Code = ConnectionErrorCodes.OAuthClientDeleted });
        }

        // The callback's parameters come from the browser: none may replace a field value (see CallbackAuthData).
        var (built, callbackProblem) = CallbackAuthData.Build((JsonObject)JsonNode.Parse(attempt.FieldsJson)!, version.Definition.CallbackParameters ?? [], callback.Parameters);
        if (built is not { } authData)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.InvalidCallback, callbackProblem!));
        }

        var context = ConnectionContext.Create(version, authData, attempt.RedirectUri, callback.CodeVerifier, scopes: attempt.Scopes, app: app);
        var requestedAt = time.GetUtcNow();
        var accessToken = await RunBlockAsync(version, BlockKinds.AccessToken, context);
        if (accessToken.Failure is { } accessFailure)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.AccessTokenFailed, $"Access Token API failed: {accessFailure.Message}", accessFailure.HttpStatus));
        }

        authData[AuthDataKeys.AccessTokenCode] = accessToken.Result?.DeepClone();
        if (await AcceptIdTokenAsync(version, attempt, context, accessToken.Result) is { } idTokenError)
        {
            return await FailAttemptAsync(idTokenError);
        }

        if (version.Definition.TestMe is not null)
        {
            var testMe = await RunBlockAsync(version, BlockKinds.TestMe, context);
            if (testMe.Failure is { } testFailure)
            {
                return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.TestMeFailed, $"Test Me API failed: {testFailure.Message}", testFailure.HttpStatus));
            }

            authData[AuthDataKeys.TestMe] = testMe.Result?.DeepClone();
        }
        string? label, identifier;
        try
        {
            label = RenderLabel(version, context);
            identifier = version.UniqueIdentifier?.Render(context, evaluator);

            // A base URL the token response cannot fill in (a hostile instance_url) ends the attempt before it is usable.
            version.RenderBaseUrl(context, evaluator);
        }
        catch (TemplateRenderException exception)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.TemplateFailed, exception.Message));
        }

        var expiry = TokenLifetime.Compute(version, accessToken.Result, requestedAt);
        IReadOnlyList<string> requested = attempt.Scopes ?? version.Definition.Authorization!.Scopes;
        var granted = RequestedScopes.Granted(version.Definition.Authorization!, accessToken.Result, requested)!;
        var refreshTokenLifetime = RefreshTokenLifetime.Compute(version.Definition.RefreshTokenPolicy, accessToken.Result, RefreshTokenLifetime.Unknown, requestedAt);
        if (identifier is not null && state.RecordExists)
        {
            var holder = await directory.ClaimIdentifierAsync(DirectoryEntry() with { IdentifierHash = HashIdentifier(identifier) });
            if (holder != ConnectionId)
            {
                // The same owner already connected this provider account: that connection takes the new grant.
                var adopted = new AdoptedAuthorization(attempt.PluginId, attempt.VersionId, attempt.RedirectUri, authData.ToJsonString(), label, identifier, expiry.ExpiresAt, expiry.RefreshAt,
                    attempt.OAuthClientId, requested, granted, refreshTokenLifetime.ExpiresAt, refreshTokenLifetime.ReconnectSoonAt);
                var outcome = await GrainFactory.GetGrain<IConnectionGrain>(GrainKeys.Connection(WorkspaceId, holder)).AdoptAuthorizationAsync(adopted);
                if (S.Status == ConnectionStatus.Pending)
                {
                    await DeleteAsync();
                }

                return outcome;
            }
        }

        await ActivateAsync(attempt.PluginId, attempt.VersionId, attempt.OAuthClientId, authData, attempt.RedirectUri, label, identifier, expiry, refreshTokenLifetime, requested, granted);
        return Outcome(null);
    }

    public async Task<AuthorizationOutcome> AdoptAuthorizationAsync(AdoptedAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var authData = (JsonObject)JsonNode.Parse(authorization.AuthDataJson)!;
        await ActivateAsync(authorization.PluginId, authorization.VersionId, authorization.OAuthClientId, authData, authorization.RedirectUri, authorization.Label, authorization.UniqueIdentifier,
            new TokenLifetime(authorization.ExpiresAt, authorization.RefreshAt), new RefreshTokenLifetime(authorization.RefreshTokenExpiresAt, authorization.ReconnectSoonAt),
            authorization.RequestedScopes, authorization.GrantedScopes);
        return Outcome(null);
    }

    private async Task ActivateAsync(
        string pluginId, string versionId, string? oauthClientId, JsonObject authData, string redirectUri, string? label, string? identifier, TokenLifetime expiry,
        RefreshTokenLifetime refreshTokenLifetime, IReadOnlyList<string>? requestedScopes, IReadOnlyList<string>? grantedScopes)
    {
        var wasUsable = S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded;
        var now = time.GetUtcNow();
        if (!state.RecordExists)
        {
            (S.WorkspaceId, S.CreatedAt) = (WorkspaceId, now);
        }

        (S.PluginId, S.VersionId, S.RedirectUri, S.OAuthClientId) = (pluginId, versionId, redirectUri, oauthClientId);
        S.AuthData = JsonSerializer.SerializeToUtf8Bytes(authData);
        (S.Label, S.UniqueIdentifier) = (label, identifier);
        (S.RequestedScopes, S.GrantedScopes) = (requestedScopes is null ? null : [.. requestedScopes], grantedScopes is null ? null : [.. grantedScopes]);
        (S.ExpiresAt, S.RefreshAt, S.LastRefreshedAt) = (expiry.ExpiresAt, expiry.RefreshAt, null);
        (S.LastError, S.ConsecutiveRefreshFailures, S.NextRefreshAttemptAt) = (null, 0, null);
        (S.RefreshTokenExpiresAt, S.ReconnectSoonAt, S.RefreshInterruptedAt) = (refreshTokenLifetime.ExpiresAt, refreshTokenLifetime.ReconnectSoonAt, null);
        S.Status = ConnectionStatus.Active;
        S.Generation++;
        S.UpdatedAt = now;
        Record(wasUsable ? ConnectionEventKinds.Reconnected : ConnectionEventKinds.Connected, null);
        await PersistAsync();
        InvalidateCredentials();
        await ScheduleRefreshAsync();
    }

    private async Task<AuthorizationOutcome> FailAttemptAsync(ConnectionError error)
    {
        S.LastError = error;
        S.UpdatedAt = time.GetUtcNow();
        Record(ConnectionEventKinds.AuthorizationFailed, error.Code);
        await PersistAsync();
        return Outcome(error);
    }

    public async Task<ConnectionOperationResult> DisconnectAsync()
    {
        if (!state.RecordExists)
        {
            return new ConnectionOperationResult(null, new ConnectionError(ConnectionErrorCodes.NotFound, "The connection does not exist."));
        }

        ConnectionError? revokeError = null;
        if (S.AuthData is not null && S.Status != ConnectionStatus.Revoked)
        {
            var version = await PinnedVersionAsync();
            var (app, clientGone) = version.Definition.RevokeToken is null ? (null, null) : await ConnectionAppAsync();
            if (clientGone is not null)
            {
                // Never revoke with another client's credentials: the provider is not told, and the error says why.
                revokeError = clientGone with { Message = "The provider was not told: the workspace's OAuth client this connection was authorized with was deleted." };
            }
            else if (version.Definition.RevokeToken is not null)
            {
                var authData = AuthData();
                var revoke = await RunBlockAsync(version, BlockKinds.RevokeToken, ConnectionContext.Create(version, authData, S.RedirectUri, null, scopes: S.RequestedScopes, app: app));
                if (revoke.Failure is { } failure)
                {
                    // The provider could not be told; the local wipe still happens, and the failure is reported.
                    revokeError = new ConnectionError(ConnectionErrorCodes.ProviderError, $"Revoke Token API failed: {failure.Message}", failure.HttpStatus);
                }
            }
        }

        S.AuthData = null;
        S.Attempt = null;
        (S.ExpiresAt, S.RefreshAt, S.NextRefreshAttemptAt) = (null, null, null);
        (S.RefreshTokenExpiresAt, S.ReconnectSoonAt, S.RefreshInterruptedAt) = (null, null, null);
        S.Status = ConnectionStatus.Revoked;
        S.LastError = revokeError;
        S.Generation++;
        S.UpdatedAt = time.GetUtcNow();
        Record(ConnectionEventKinds.Revoked, revokeError?.Code);
        await PersistAsync();
        InvalidateCredentials();
        await UnregisterRefreshReminderAsync();
        return new ConnectionOperationResult(View(), revokeError);
    }

    private AuthorizationOutcome Outcome(ConnectionError? error) => new(ConnectionId, S.Status, S.Label, error);

    private StartAuthorizationResult StartFailure(string code, string message) => new(ConnectionId, null, null, new ConnectionError(code, message));
}
