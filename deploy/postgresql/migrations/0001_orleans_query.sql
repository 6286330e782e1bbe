-- The Orleans ADO.NET providers (clustering, grain storage, reminders) ship no SQL of their own:
-- at start-up each one runs `SELECT QueryKey, QueryText FROM OrleansQuery` and then executes the
-- query texts it finds there with named parameters (@ServiceId, @GrainId, ...).
-- The identifiers are left unquoted on purpose so they fold to the lower-case names the provider's
-- own unquoted SELECT resolves to.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
