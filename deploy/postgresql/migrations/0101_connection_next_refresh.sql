-- When each connection's next refresh is due. Reminders fire on their period (at least a minute), so a refresh that
-- fell due while no silo was running would wait for the next period; silos sweep this column for overdue refreshes
-- at start and every half minute and wake those connections at once.
ALTER TABLE viasocket_connections ADD COLUMN next_refresh_at timestamptz NULL;

CREATE INDEX viasocket_connections_next_refresh
    ON viasocket_connections (next_refresh_at)
    WHERE next_refresh_at IS NOT NULL;
