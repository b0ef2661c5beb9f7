-- Every request for money made of the payment provider, recorded before it
-- is sent and settled in the same transaction as its outcome: a charge for a
-- new order (kind "order"), a further charge when a paid order grows
-- ("charge"), a refund ("refund"). An attempt still open after its answer
-- should have come is one whose outcome was lost (a crash, a network
-- failure): the reconciler asks the provider about it. No foreign key to
-- orders: a card declined at once removes its order, and the attempt stays
-- as the trace of what the provider was asked.
CREATE TABLE payment_attempts (
    id            INTEGER PRIMARY KEY,
    order_id      BIGINT       NOT NULL,
    order_number  VARCHAR(20)  NOT NULL,
    kind          VARCHAR(16)  NOT NULL,
    idem_key      VARCHAR(64)  NOT NULL UNIQUE,
    charge_ref    VARCHAR(100) NOT NULL,
    amount_cents  BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    provider_ref  VARCHAR(100) NOT NULL,
    detail        VARCHAR(200) NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    settled_at    TIMESTAMP    NULL
);
CREATE INDEX payment_attempts_by_status ON payment_attempts (status, created_at);
CREATE INDEX payment_attempts_by_order ON payment_attempts (order_id, id);
-- A provider's notification names the order by its number.
CREATE INDEX orders_by_number ON orders (number);
