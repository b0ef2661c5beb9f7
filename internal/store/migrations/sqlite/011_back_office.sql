-- The back office: accounts a manager disables, the low-stock flag that
-- mails a manager once per crossing (through the outbox, which now also
-- carries stock alerts), the note of a delivery or of waste, the days a
-- pizzeria closes besides its weekly hours, and the products a pizzeria
-- takes off its menu.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP NULL;
ALTER TABLE stock_levels ADD COLUMN low_alerted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stock_movements ADD COLUMN note VARCHAR(200) NULL;
ALTER TABLE outbox ADD COLUMN pizzeria_id BIGINT NULL;
ALTER TABLE outbox ADD COLUMN ingredient_id BIGINT NULL;

CREATE TABLE pizzeria_closures (
    pizzeria_id BIGINT       NOT NULL REFERENCES pizzerias (id),
    day         VARCHAR(10)  NOT NULL,
    reason      VARCHAR(200) NOT NULL,
    PRIMARY KEY (pizzeria_id, day)
);

CREATE TABLE menu_withdrawals (
    pizzeria_id BIGINT       NOT NULL REFERENCES pizzerias (id),
    product_id  BIGINT       NOT NULL REFERENCES products (id),
    reason      VARCHAR(200) NOT NULL,
    by_user_id  BIGINT       NULL,
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (pizzeria_id, product_id)
);
