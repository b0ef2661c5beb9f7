-- Every movement of money with the payment provider for an order: the
-- first charge, further charges when an order grows, refunds when it
-- shrinks or is cancelled. A refund names the charge it gives back.
CREATE TABLE payments (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    order_id      BIGINT       NOT NULL REFERENCES orders (id),
    kind          VARCHAR(16)  NOT NULL,
    provider_ref  VARCHAR(100) NOT NULL,
    charge_ref    VARCHAR(100) NOT NULL,
    amount_cents  BIGINT       NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    at            DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX payments_by_order ON payments (order_id, id);
