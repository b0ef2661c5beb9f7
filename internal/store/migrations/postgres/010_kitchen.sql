-- The kitchen's recipe memo as structured data — the steps, in order, and
-- the baking — and each pizzeria's thresholds for colouring a ticket by
-- its age on the kitchen display.
ALTER TABLE products ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
ALTER TABLE products ADD COLUMN bake_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN bake_celsius INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pizzerias ADD COLUMN kitchen_warn_minutes INTEGER NOT NULL DEFAULT 10;
ALTER TABLE pizzerias ADD COLUMN kitchen_late_minutes INTEGER NOT NULL DEFAULT 15;
