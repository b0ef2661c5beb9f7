-- The stock ledger is read per pizzeria, newest first. The index it had,
-- per ingredient, served no query and cost every order one index page per
-- ingredient it reserved. The new index is created first: it also serves
-- the foreign key on pizzeria_id, which InnoDB will not leave unindexed.
CREATE INDEX stock_movements_by_pizzeria ON stock_movements (pizzeria_id, id);
DROP INDEX stock_movements_by_level ON stock_movements;
