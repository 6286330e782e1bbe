namespace ViaSocket.Domain.Validation;

/// <summary>Stable codes of <see cref="ValidationProblem"/>s.</summary>
public static class ValidationCodes
{
    // Document
    public const string MalformedJson = "definition.malformed_json";
    public const string UnknownMember = "definition.unknown_member";
    public const string InvalidType = "definition.invalid_type";
    public const string TooLarge = "definition.too_large";
    public const string TooMany = "definition.too_many";
    public const string Required = "definition.required";

    // URLs
    public const string InvalidUrl = "definition.invalid_url";
    public const string InsecureUrl = "definition.insecure_url";
    public const string AllowedUrlNotAbsolute = "definition.allowed_url_not_absolute";
    public const string AllowedUrlHasQueryOrFragment = "definition.allowed_url_has_query_or_fragment";
    public const string AllowedUrlHasCredentials = "definition.allowed_url_has_credentials";
    public const string DuplicateAllowedUrl = "definition.duplicate_allowed_url";
    public const string UrlValueMisplaced = "definition.url_value_misplaced";
    public const string AllowedUrlWildcard = "definition.allowed_url_wildcard";
    public const string BaseUrlNotAllowed = "definition.base_url_not_allowed";
    public const string InvalidOriginHost = "definition.invalid_origin_host";

    // Callback parameters and public extras
    public const string InvalidCallbackParameter = "definition.invalid_callback_parameter";
    public const string ReservedCallbackParameter = "definition.reserved_callback_parameter";
    public const string DuplicateCallbackParameter = "definition.duplicate_callback_parameter";
    public const string InvalidExtraName = "definition.invalid_extra_name";
    public const string PublicValueReadsSecret = "definition.public_value_reads_secret";

    // Authorization
    public const string UnknownSeparator = "definition.unknown_separator";
    public const string UnknownPkce = "definition.unknown_pkce";
    public const string EmptyScope = "definition.empty_scope";
    public const string DuplicateScope = "definition.duplicate_scope";
    public const string ScopeContainsSeparator = "definition.scope_contains_separator";
    public const string ReservedParameter = "definition.reserved_parameter";
    public const string ClientSecretExposed = "definition.client_secret_exposed";
    public const string ClientSecretTooShort = "definition.client_secret_too_short";
    public const string InvalidScopeSeparator = "definition.invalid_scope_separator";
    public const string UnknownAuthorizeParameter = "definition.unknown_authorize_parameter";
    public const string InvalidParameterName = "definition.invalid_parameter_name";
    public const string ParameterNameCollision = "definition.parameter_name_collision";
    public const string IssuerRequired = "definition.issuer_required";
    public const string ParameterNotOmittable = "definition.parameter_not_omittable";
    public const string PkceConflict = "definition.pkce_conflict";
    public const string PkceVerifierNotSent = "definition.pkce_verifier_not_sent";
    public const string UnknownClientAuthentication = "definition.unknown_client_authentication";
    public const string ClientAuthConflict = "definition.client_auth_conflict";

    // Templates
    public const string TemplateSyntax = "definition.template_syntax";
    public const string UnknownTemplateRoot = "definition.unknown_template_root";
    public const string UnknownContextMember = "definition.unknown_context_member";
    public const string LabelReadsSecret = "definition.label_reads_secret";

    // Fields
    public const string InvalidFieldKey = "definition.invalid_field_key";
    public const string DuplicateFieldKey = "definition.duplicate_field_key";
    public const string ReservedFieldKey = "definition.reserved_field_key";
    public const string UnknownFieldType = "definition.unknown_field_type";
    public const string SelectWithoutOptions = "definition.select_without_options";
    public const string DefaultNotInOptions = "definition.default_not_in_options";
    public const string UnknownFieldFormat = "definition.unknown_field_format";
    public const string InvalidFieldPattern = "definition.invalid_field_pattern";
    public const string InvalidFieldDefault = "definition.invalid_field_default";

    // API blocks
    public const string BlockEmpty = "definition.block_empty";
    public const string BlockBothCodeAndRequest = "definition.block_both_code_and_request";
    public const string CodeSyntax = "definition.code_syntax";
    public const string DynamicImport = "definition.dynamic_import";
    public const string UnknownMethod = "definition.unknown_method";
    public const string UnknownBodyType = "definition.unknown_body_type";
    public const string InvalidOutcomeRule = "definition.invalid_outcome_rule";
    public const string BodyConflict = "definition.body_conflict";
    public const string InvalidHeaderName = "definition.invalid_header_name";

    // Expiry and statuses
    public const string ExpiryConflict = "definition.expiry_conflict";
    public const string InvalidExpiryUnit = "definition.invalid_expiry_unit";
    public const string InvalidPath = "definition.invalid_path";
    public const string NegativeNumber = "definition.negative_number";
    public const string InvalidStatus = "definition.invalid_status";
    public const string OutOfRange = "definition.out_of_range";
}
