-- OC Pizza initial schema (MySQL / MariaDB).
CREATE TABLE pizzerias (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    code        VARCHAR(8)   NOT NULL UNIQUE,
    name        VARCHAR(100) NOT NULL,
    street      VARCHAR(200) NOT NULL,
    postcode    VARCHAR(5)   NOT NULL,
    city        VARCHAR(100) NOT NULL,
    phone       VARCHAR(30)  NOT NULL,
    hours       TEXT         NOT NULL,
    active      BOOLEAN      NOT NULL,
    created_at  DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Order numbers per pizzeria. Its own table, because every order updates
-- it: rows that others reference by foreign key are better left quiet.
CREATE TABLE order_counters (
    pizzeria_id BIGINT      PRIMARY KEY REFERENCES pizzerias (id),
    prefix      VARCHAR(8)  NOT NULL,
    seq         BIGINT      NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE pizzeria_postcodes (
    pizzeria_id BIGINT     NOT NULL REFERENCES pizzerias (id),
    postcode    VARCHAR(5) NOT NULL,
    PRIMARY KEY (pizzeria_id, postcode)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE ingredients (
    id    BIGINT AUTO_INCREMENT PRIMARY KEY,
    name  VARCHAR(100) NOT NULL UNIQUE,
    unit  VARCHAR(8)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE products (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    category     VARCHAR(16)  NOT NULL,
    name         VARCHAR(100) NOT NULL UNIQUE,
    description  TEXT         NOT NULL,
    price_cents  BIGINT       NOT NULL,
    vat_basis    INTEGER      NOT NULL,
    active       BOOLEAN      NOT NULL,
    memo         TEXT         NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE recipe_lines (
    product_id    BIGINT NOT NULL REFERENCES products (id),
    ingredient_id BIGINT NOT NULL REFERENCES ingredients (id),
    quantity      BIGINT NOT NULL,
    PRIMARY KEY (product_id, ingredient_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE stock_levels (
    pizzeria_id   BIGINT      NOT NULL REFERENCES pizzerias (id),
    ingredient_id BIGINT      NOT NULL REFERENCES ingredients (id),
    quantity      BIGINT      NOT NULL CHECK (quantity >= 0),
    low_threshold BIGINT      NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (pizzeria_id, ingredient_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    email          VARCHAR(254) NOT NULL UNIQUE,
    name           VARCHAR(100) NOT NULL,
    phone          VARCHAR(30)  NOT NULL,
    lang           VARCHAR(2)   NOT NULL,
    password_hash  VARCHAR(255) NOT NULL,
    created_at     DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- pizzeria_id is 0 for roles that are not tied to one pizzeria.
CREATE TABLE user_roles (
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    role        VARCHAR(16) NOT NULL,
    pizzeria_id BIGINT      NOT NULL,
    PRIMARY KEY (user_id, role, pizzeria_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE customer_addresses (
    id        BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id   BIGINT       NOT NULL REFERENCES users (id),
    street    VARCHAR(200) NOT NULL,
    postcode  VARCHAR(5)   NOT NULL,
    city      VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sessions (
    token_hash  VARCHAR(64) PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    created_at  DATETIME(6) NOT NULL,
    expires_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE orders (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    number          VARCHAR(20)  NULL,
    pizzeria_id     BIGINT       NOT NULL REFERENCES pizzerias (id),
    customer_id     BIGINT       NULL REFERENCES users (id),
    contact_name    VARCHAR(100) NOT NULL,
    contact_phone   VARCHAR(30)  NOT NULL,
    contact_email   VARCHAR(254) NOT NULL,
    channel         VARCHAR(16)  NOT NULL,
    fulfilment      VARCHAR(16)  NOT NULL,
    street          VARCHAR(200) NULL,
    postcode        VARCHAR(5)   NULL,
    city            VARCHAR(100) NULL,
    total_cents     BIGINT       NOT NULL,
    payment_method  VARCHAR(16)  NOT NULL,
    payment_status  VARCHAR(16)  NOT NULL,
    payment_ref     VARCHAR(100) NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    version         BIGINT       NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    UNIQUE (pizzeria_id, number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX orders_by_pizzeria_status ON orders (pizzeria_id, status, id);
CREATE INDEX orders_by_customer ON orders (customer_id, id);

CREATE TABLE order_lines (
    order_id          BIGINT       NOT NULL REFERENCES orders (id),
    line_no           INTEGER      NOT NULL,
    product_id        BIGINT       NOT NULL REFERENCES products (id),
    name              VARCHAR(100) NOT NULL,
    quantity          BIGINT       NOT NULL,
    unit_price_cents  BIGINT       NOT NULL,
    vat_basis         INTEGER      NOT NULL,
    PRIMARY KEY (order_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_history (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT      NOT NULL REFERENCES orders (id),
    status      VARCHAR(20) NOT NULL,
    at          DATETIME(6) NOT NULL,
    by_user_id  BIGINT      NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX order_history_by_order ON order_history (order_id, id);

CREATE TABLE stock_movements (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id    BIGINT      NOT NULL,
    ingredient_id  BIGINT      NOT NULL,
    reason         VARCHAR(16) NOT NULL,
    delta          BIGINT      NOT NULL,
    order_id       BIGINT      NULL,
    by_user_id     BIGINT      NULL,
    at             DATETIME(6) NOT NULL,
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias (id),
    FOREIGN KEY (ingredient_id) REFERENCES ingredients (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX stock_movements_by_level ON stock_movements (pizzeria_id, ingredient_id, id);

CREATE TABLE idempotency_keys (
    user_id       BIGINT      NOT NULL,
    idem_key      VARCHAR(64) NOT NULL,
    request_hash  VARCHAR(64) NOT NULL,
    order_id      BIGINT      NOT NULL REFERENCES orders (id),
    created_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id, idem_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Chain-wide settings staff change at run time (maintenance mode, …).
CREATE TABLE settings (
    name        VARCHAR(64) PRIMARY KEY,
    value       TEXT        NOT NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
