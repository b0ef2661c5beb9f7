-- Customer notifications, written in the same transaction as the change
-- they announce and sent later by a worker: a mail is never lost when the
-- mail server is down, and retried with backoff.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            VARCHAR(32)  NOT NULL,
    order_id        BIGINT       NOT NULL,
    recipient       VARCHAR(254) NOT NULL,
    lang            VARCHAR(2)   NOT NULL,
    attempts        INTEGER      NOT NULL,
    next_attempt_at TIMESTAMP  NOT NULL,
    claimed_until   TIMESTAMP  NULL,
    last_error      TEXT         NULL,
    alerted         BOOLEAN      NOT NULL,
    created_at      TIMESTAMP  NOT NULL,
    sent_at         TIMESTAMP  NULL
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
