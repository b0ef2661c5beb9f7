-- A product's description in English, for the site's English pages
-- (empty: the French one is shown). Recipe steps and memos stay in the
-- kitchen's language.
ALTER TABLE products ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
