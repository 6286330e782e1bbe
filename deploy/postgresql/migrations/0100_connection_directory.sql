-- The connection directory: a read model of every connection, written by the connection grains after each
-- change of what it indexes. It serves listing (by workspace, owner, plugin, status) and the unique-identifier
-- dedupe, whose atomicity comes from the partial unique index below. Token material never lands here; the
-- unique identifier is stored only as a SHA-256 hash.
CREATE TABLE viasocket_connections
(
    workspace_id           text        NOT NULL,
    connection_id          text        NOT NULL,
    owner_id               text        NOT NULL,
    plugin_id              text        NOT NULL,
    version_id             text        NOT NULL,
    status                 text        NOT NULL,
    label                  text        NULL,
    identifier_hash        text        NULL,
    expires_at             timestamptz NULL,
    last_refreshed_at      timestamptz NULL,
    last_error_code        text        NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, connection_id)
);

CREATE UNIQUE INDEX viasocket_connections_identifier
    ON viasocket_connections (workspace_id, owner_id, plugin_id, identifier_hash)
    WHERE identifier_hash IS NOT NULL;

CREATE INDEX viasocket_connections_owner ON viasocket_connections (workspace_id, owner_id, plugin_id);
CREATE INDEX viasocket_connections_status ON viasocket_connections (workspace_id, status);
