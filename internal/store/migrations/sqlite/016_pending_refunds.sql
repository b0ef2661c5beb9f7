-- The reconciler looks every few minutes for refunds still pending in the
-- ledger (store.PendingRefunds): found by their status, oldest first.
CREATE INDEX payments_by_status ON payments (status, at);
