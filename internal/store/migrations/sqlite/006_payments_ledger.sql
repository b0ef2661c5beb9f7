-- Every movement of money with the payment provider for an order: the
-- first charge, further charges when an order grows, refunds when it
-- shrinks or is cancelled. A refund names the charge it gives back.
CREATE TABLE payments (
    id            INTEGER PRIMARY KEY,
    order_id      BIGINT       NOT NULL REFERENCES orders (id),
    kind          VARCHAR(16)  NOT NULL,
    provider_ref  VARCHAR(100) NOT NULL,
    charge_ref    VARCHAR(100) NOT NULL,
    amount_cents  BIGINT       NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    at            TIMESTAMP  NOT NULL
);
CREATE INDEX payments_by_order ON payments (order_id, id);
