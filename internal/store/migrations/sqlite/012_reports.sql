-- Reports: each pizzeria's day rolled up once its orders are done with
-- (report.Settled), so that a year's report reads a few thousand rows
-- instead of half a million orders and their lines and history. The days
-- still moving are read from the orders themselves. report_built lists
-- the days rolled up; the rest is derived, and rebuilt at will.
CREATE TABLE report_days (
    day_paris        VARCHAR(10) NOT NULL,
    pizzeria_id      BIGINT      NOT NULL,
    orders           BIGINT      NOT NULL,
    cents            BIGINT      NOT NULL,
    cancelled        BIGINT      NOT NULL,
    cancelled_cents  BIGINT      NOT NULL,
    refunded         BIGINT      NOT NULL,
    refunded_cents   BIGINT      NOT NULL,
    prepared         BIGINT      NOT NULL,
    prep_seconds     BIGINT      NOT NULL,
    done             BIGINT      NOT NULL,
    done_seconds     BIGINT      NOT NULL,
    promised_seconds BIGINT      NOT NULL,
    late             BIGINT      NOT NULL,
    PRIMARY KEY (day_paris, pizzeria_id)
);

CREATE TABLE report_hours (
    day_paris   VARCHAR(10) NOT NULL,
    pizzeria_id BIGINT      NOT NULL,
    hour_paris  INTEGER     NOT NULL,
    orders      BIGINT      NOT NULL,
    cents       BIGINT      NOT NULL,
    PRIMARY KEY (day_paris, pizzeria_id, hour_paris)
);

CREATE TABLE report_products (
    day_paris   VARCHAR(10) NOT NULL,
    pizzeria_id BIGINT      NOT NULL,
    product_id  BIGINT      NOT NULL,
    quantity    BIGINT      NOT NULL,
    cents       BIGINT      NOT NULL,
    PRIMARY KEY (day_paris, pizzeria_id, product_id)
);

CREATE TABLE report_built (
    day_paris VARCHAR(10) PRIMARY KEY,
    built_at  TIMESTAMP NOT NULL
);

-- A day's orders are read by the time they were placed (the reports, and
-- the boards' takings of the day). One index only: every order pays for it.
CREATE INDEX orders_by_created ON orders (created_at);
CREATE INDEX stock_movements_waste ON stock_movements (at) WHERE reason = 'waste';
