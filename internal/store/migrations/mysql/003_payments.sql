-- Payments through Square: find an order by its provider payment id (the
-- webhooks name only that), and remember which notifications were applied
-- so a repeated one changes nothing.
CREATE INDEX orders_by_payment_ref ON orders (payment_ref);

CREATE TABLE webhook_events (
    event_id    VARCHAR(100) PRIMARY KEY,
    kind        VARCHAR(64)  NOT NULL,
    received_at DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
