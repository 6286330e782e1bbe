-- Grain state lookups that use the whole unique index.
-- The provider splits a string grain key into grain_id_n0 = grain_id_n1 = 0 and the string in grain_id_extension,
-- so every string-keyed grain of a state name shares the first four index columns. `IS NOT DISTINCT FROM` cannot
-- be an index condition in PostgreSQL: 0002's statements found the row by reading every row of its state name, which
-- made each read and write cost as much as the table is large (10,000 connections: ~10,000 rows per statement).
-- Each statement now compares the extension with `=` or `IS NULL` (both index conditions), chosen by the parameter.

CREATE OR REPLACE FUNCTION orleans_storage_write(
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
    ELSIF p_grain_id_extension IS NULL THEN
        UPDATE orleans_storage
        SET payload = p_payload, version = version + 1, modified_at = now()
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension IS NULL
          AND version = p_expected_version
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_storage
        SET payload = p_payload, version = version + 1, modified_at = now()
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension = p_grain_id_extension
          AND version = p_expected_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END;
$$;

CREATE OR REPLACE FUNCTION orleans_storage_clear(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE plpgsql
AS
$$
DECLARE
    new_version integer;
BEGIN
    IF p_grain_id_extension IS NULL THEN
        UPDATE orleans_storage
        SET payload = NULL, version = version + 1, modified_at = now()
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension IS NULL
          AND version = p_expected_version
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_storage
        SET payload = NULL, version = version + 1, modified_at = now()
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension = p_grain_id_extension
          AND version = p_expected_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END;
$$;

CREATE OR REPLACE FUNCTION orleans_storage_delete(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE plpgsql
AS
$$
DECLARE
    deleted_version integer;
BEGIN
    IF p_grain_id_extension IS NULL THEN
        DELETE FROM orleans_storage
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension IS NULL
          AND version = p_expected_version
        RETURNING version INTO deleted_version;
    ELSE
        DELETE FROM orleans_storage
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1 AND grain_id_extension = p_grain_id_extension
          AND version = p_expected_version
        RETURNING version INTO deleted_version;
    END IF;
    RETURN deleted_version + 1;
END;
$$;

CREATE FUNCTION orleans_storage_read(
    p_service_id text, p_state_name text, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_id_extension text)
    RETURNS TABLE (payload bytea, version integer)
    LANGUAGE plpgsql
    STABLE
AS
$$
BEGIN
    IF p_grain_id_extension IS NULL THEN
        RETURN QUERY
            SELECT s.payload, s.version FROM orleans_storage s
            WHERE s.service_id = p_service_id AND s.state_name = p_state_name
              AND s.grain_id_n0 = p_grain_id_n0 AND s.grain_id_n1 = p_grain_id_n1 AND s.grain_id_extension IS NULL;
    ELSE
        RETURN QUERY
            SELECT s.payload, s.version FROM orleans_storage s
            WHERE s.service_id = p_service_id AND s.state_name = p_state_name
              AND s.grain_id_n0 = p_grain_id_n0 AND s.grain_id_n1 = p_grain_id_n1 AND s.grain_id_extension = p_grain_id_extension;
    END IF;
END;
$$;

UPDATE OrleansQuery
SET QueryText = 'SELECT payload AS "PayloadBinary", version AS "Version"
                 FROM orleans_storage_read(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)'
WHERE QueryKey = 'ReadFromStorageKey';
