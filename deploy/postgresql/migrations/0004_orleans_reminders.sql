-- Reminders for the Orleans ADO.NET reminder service (UseAdoNetReminderService).
-- grain_hash is the grain's uniform hash stored as a signed 32-bit value; the provider sends
-- range bounds the same way and picks ReadRangeRows1 (begin < end, signed) or ReadRangeRows2
-- (the range wraps past the end of the signed order).
-- version is the ETag; every upsert bumps it.
CREATE TABLE orleans_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX orleans_reminders_by_hash ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES ('UpsertReminderRowKey',
        'INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
         VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 1)
         ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
             SET grain_hash = excluded.grain_hash,
                 start_time = excluded.start_time,
                 period_ms  = excluded.period_ms,
                 version    = orleans_reminders.version + 1
         RETURNING version AS "Version"'),
       ('ReadReminderRowsKey',
        'SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
                period_ms AS "Period", version AS "Version"
         FROM orleans_reminders
         WHERE service_id = @ServiceId AND grain_id = @GrainId'),
       ('ReadReminderRowKey',
        'SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
                period_ms AS "Period", version AS "Version"
         FROM orleans_reminders
         WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName'),
       ('ReadRangeRows1Key',
        'SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
                period_ms AS "Period", version AS "Version"
         FROM orleans_reminders
         WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash'),
       ('ReadRangeRows2Key',
        'SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
                period_ms AS "Period", version AS "Version"
         FROM orleans_reminders
         WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)'),
       ('DeleteReminderRowKey',
        'WITH deleted AS (
             DELETE FROM orleans_reminders
             WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
               AND version = @Version
             RETURNING 1)
         SELECT count(*) > 0 FROM deleted'),
       ('DeleteReminderRowsKey',
        'DELETE FROM orleans_reminders WHERE service_id = @ServiceId')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
