using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ViaSocket.Server.Observability;

/// <summary>
/// Describes workspace API keys in the OpenAPI document: the <c>ApiKey</c> bearer scheme, and on every operation that
/// requires authorization a security requirement plus the scope it needs.
/// </summary>
internal sealed class ApiKeySecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "vso_<key id>_<secret>",
            Description = "A workspace API key: `Authorization: Bearer vso_...`. Each operation names the scope it needs.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        var authorization = metadata.OfType<IAuthorizeData>().ToList();
        if (authorization.Count == 0)
        {
            return Task.CompletedTask;
        }

        var scopes = authorization.Select(a => a.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        if (scopes.Count > 0)
        {
            var needs = $"Requires an API key with the scope{(scopes.Count > 1 ? "s" : "")} {string.Join(", ", scopes.Select(s => $"`{s}`"))}.";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : $"{operation.Description}\n\n{needs}";
        }

        return Task.CompletedTask;
    }
}
