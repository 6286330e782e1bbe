-- Cluster membership for the Orleans ADO.NET clustering provider (UseAdoNetClustering).
-- One version row per cluster (the provider's "DeploymentId" is the ClusterId). Every membership
-- change names the version it read and bumps it, so concurrent changes by different silos are
-- detected; the version is also the ETag of every row the provider reads.
CREATE TABLE orleans_membership_version
(
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    modified_at   timestamptz NOT NULL DEFAULT now()
);

-- Status holds Orleans' SiloStatus: 3 = Active, 6 = Dead.
-- suspect_times is the provider's own text encoding ("silo,date|silo,date").
CREATE TABLE orleans_membership
(
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Raised inside the two functions below to undo the version bump when the row change itself fails.
-- (SQLSTATE 'VSM01' is private to these functions.)
CREATE FUNCTION orleans_membership_insert(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_silo_name text,
    p_host_name text, p_status integer, p_proxy_port integer, p_start_time timestamptz,
    p_i_am_alive_time timestamptz, p_expected_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS
$$
BEGIN
    UPDATE orleans_membership_version
    SET version = version + 1, modified_at = now()
    WHERE deployment_id = p_deployment_id AND version = p_expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
            p_proxy_port, p_start_time, p_i_am_alive_time)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'VSM01';
    END IF;
    RETURN true;
EXCEPTION
    WHEN SQLSTATE 'VSM01' THEN
        RETURN false;
END;
$$;

CREATE FUNCTION orleans_membership_update(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_i_am_alive_time timestamptz, p_expected_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS
$$
BEGIN
    UPDATE orleans_membership_version
    SET version = version + 1, modified_at = now()
    WHERE deployment_id = p_deployment_id AND version = p_expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
    SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
    WHERE deployment_id = p_deployment_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'VSM01';
    END IF;
    RETURN true;
EXCEPTION
    WHEN SQLSTATE 'VSM01' THEN
        RETURN false;
END;
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES ('InsertMembershipVersionKey',
        'WITH created AS (
             INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
             ON CONFLICT DO NOTHING
             RETURNING 1)
         SELECT count(*) > 0 FROM created'),
       ('InsertMembershipKey',
        'SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                          @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
       ('UpdateMembershipKey',
        'SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                          @IAmAliveTime, @Version)'),
       ('UpdateIAmAlivetimeKey',
        'UPDATE orleans_membership
         SET i_am_alive_time = @IAmAliveTime
         WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),
       ('MembershipReadRowKey',
        'SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
                m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
                m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime",
                m.i_am_alive_time AS "IAmAliveTime"
         FROM orleans_membership_version v
         LEFT JOIN orleans_membership m
                ON m.deployment_id = v.deployment_id
               AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
         WHERE v.deployment_id = @DeploymentId'),
       ('MembershipReadAllKey',
        'SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
                m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
                m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime",
                m.i_am_alive_time AS "IAmAliveTime"
         FROM orleans_membership_version v
         LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
         WHERE v.deployment_id = @DeploymentId'),
       ('GatewaysQueryKey',
        'SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
         FROM orleans_membership
         WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0'),
       ('DeleteMembershipTableEntriesKey',
        'DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId'),
       -- Bulk form, used only when the per-entry form below is missing.
       ('CleanupDefunctSiloEntriesKey',
        'DELETE FROM orleans_membership
         WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime'),
       -- Per-entry form: the provider picks dead entries older than the cut-off from what it read and
       -- deletes each one only if the row still holds exactly what it saw.
       ('CleanupDefunctSiloEntryKey',
        'DELETE FROM orleans_membership
         WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
           AND status = 6
           AND start_time = @StartTime
           AND i_am_alive_time = @IAmAliveTime
           AND coalesce(suspect_times, '''') = coalesce(@SuspectTimes, '''')')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
