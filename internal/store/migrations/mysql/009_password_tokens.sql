-- Single-use links that set a password: a reset asked for by e-mail, or an
-- invitation to a new member of staff. Only the token's hash is kept.
CREATE TABLE password_tokens (
    token_hash  VARCHAR(64) PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    purpose     VARCHAR(16) NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    expires_at  DATETIME(6) NOT NULL,
    used_at     DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX password_tokens_by_user ON password_tokens (user_id, created_at);
