-- The ASP.NET Core Data Protection key ring, shared by every front-end of a service so that a UI session cookie issued
-- by one is accepted by all. One row per XML element Data Protection stores (keys and revocations), in write order.
-- The key material inside each element is encrypted with the service's master keys before it reaches this table.
CREATE TABLE viasocket_data_protection_keys
(
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id    text        NOT NULL,
    friendly_name text        NULL,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX viasocket_data_protection_keys_service ON viasocket_data_protection_keys (service_id, id);
