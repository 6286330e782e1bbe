-- Pending connections (authorizations that were denied, failed or never came back) are deleted a while after their
-- last attempt ended; the expiry chore finds them oldest first through this index, which holds only pending rows.
CREATE INDEX viasocket_connections_pending
    ON viasocket_connections (updated_at)
    WHERE status = 'pending';
