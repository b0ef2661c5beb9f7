-- A product's description in English, for the site's English pages
-- (empty: the French one is shown). Recipe steps and memos stay in the
-- kitchen's language. VARCHAR: a TEXT column takes no default on MySQL.
ALTER TABLE products ADD COLUMN description_en VARCHAR(1000) NOT NULL DEFAULT '';
