-- Grain state for the Orleans ADO.NET grain storage provider (AddAdoNetGrainStorage).
-- A row is keyed by service, state name (the provider's "grain type": Orleans passes the state name,
-- so every grain type must use its own state name) and the grain key split the way the provider
-- splits it: two 64-bit halves (integer/GUID keys) and an optional string part.
-- `version` is the ETag. A write or clear must name the current version; the functions return the
-- new version, or NULL when the caller's version is stale, which the provider turns into an
-- InconsistentStateException.
CREATE TABLE orleans_storage
(
    service_id         text        NOT NULL,
    state_name         text        NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NULL,
    payload            bytea       NULL,
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now()
);

-- NULLS NOT DISTINCT: integer and GUID keys have no string part, and two such rows must still collide.
CREATE UNIQUE INDEX orleans_storage_grain
    ON orleans_storage (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_extension) NULLS NOT DISTINCT;

CREATE FUNCTION orleans_storage_write(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text,
    p_expected_version integer, p_payload bytea)
    RETURNS integer
    LANGUAGE plpgsql
AS
$$
DECLARE
    new_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- First write of this grain's state; a concurrent first write wins and this one gets NULL.
        INSERT INTO orleans_storage (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
        VALUES (p_service_id, p_state_name, p_grain_id_n0, p_grain_id_n1, p_grain_id_extension, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_storage
        SET payload = p_payload, version = version + 1, modified_at = now()
        WHERE service_id = p_service_id
          AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0
          AND grain_id_n1 = p_grain_id_n1
          AND grain_id_extension IS NOT DISTINCT FROM p_grain_id_extension
          AND version = p_expected_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END;
$$;

-- Clearing keeps the row (payload NULL) so the version keeps counting and an old ETag stays stale.
CREATE FUNCTION orleans_storage_clear(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE sql
AS
$$
UPDATE orleans_storage
SET payload = NULL, version = version + 1, modified_at = now()
WHERE service_id = p_service_id
  AND state_name = p_state_name
  AND grain_id_n0 = p_grain_id_n0
  AND grain_id_n1 = p_grain_id_n1
  AND grain_id_extension IS NOT DISTINCT FROM p_grain_id_extension
  AND version = p_expected_version
RETURNING version;
$$;

-- Used instead of clearing when the provider runs with DeleteStateOnClear = true. The provider needs a
-- value different from the old ETag to know the delete happened; it then forgets the ETag.
CREATE FUNCTION orleans_storage_delete(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE sql
AS
$$
DELETE FROM orleans_storage
WHERE service_id = p_service_id
  AND state_name = p_state_name
  AND grain_id_n0 = p_grain_id_n0
  AND grain_id_n1 = p_grain_id_n1
  AND grain_id_extension IS NOT DISTINCT FROM p_grain_id_extension
  AND version = p_expected_version
RETURNING version + 1;
$$;

-- The provider also sends @GrainIdHash and @GrainTypeHash; the unique index above already finds the
-- row, so the hashes are not stored.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES ('ReadFromStorageKey',
        'SELECT payload AS "PayloadBinary", version AS "Version"
         FROM orleans_storage
         WHERE service_id = @ServiceId
           AND state_name = @GrainTypeString
           AND grain_id_n0 = @GrainIdN0
           AND grain_id_n1 = @GrainIdN1
           AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString'),
       ('WriteToStorageKey',
        'SELECT orleans_storage_write(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                      @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"'),
       ('ClearStorageKey',
        'SELECT orleans_storage_clear(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                      @GrainStateVersion) AS "Version"'),
       ('DeleteStorageKey',
        'SELECT orleans_storage_delete(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                       @GrainStateVersion) AS "Version"')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
