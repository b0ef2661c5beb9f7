-- The event journal: what one instance publishes, the others relay to
-- their live screens. Rows are pruned after an hour.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    origin      VARCHAR(32) NOT NULL,
    pizzeria_id BIGINT      NOT NULL,
    order_id    BIGINT      NULL,
    kind        VARCHAR(32) NOT NULL,
    payload     TEXT        NOT NULL,
    at          TIMESTAMP NOT NULL
);
