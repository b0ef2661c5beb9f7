-- The event journal: what one instance publishes, the others relay to
-- their live screens. Rows are pruned after an hour.
CREATE TABLE events (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    origin      VARCHAR(32) NOT NULL,
    pizzeria_id BIGINT      NOT NULL,
    order_id    BIGINT      NULL,
    kind        VARCHAR(32) NOT NULL,
    payload     MEDIUMTEXT  NOT NULL,
    at          DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
