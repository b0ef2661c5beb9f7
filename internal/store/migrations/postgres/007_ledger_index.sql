-- The stock ledger is read per pizzeria, newest first. The index it had,
-- per ingredient, served no query and cost every order one index page per
-- ingredient it reserved.
CREATE INDEX stock_movements_by_pizzeria ON stock_movements (pizzeria_id, id);
DROP INDEX stock_movements_by_level;
