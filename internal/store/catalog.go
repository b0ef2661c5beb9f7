package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// CreateIngredient stores an ingredient and gives every pizzeria an empty
// stock level for it, so stock screens list it from the start.
func (s *Store) CreateIngredient(ctx context.Context, in catalog.Ingredient, lowThreshold int64) (catalog.Ingredient, error) {
	if in.Name == "" || !in.Unit.Valid() {
		return in, errs.E(errs.Invalid, "an ingredient needs a name and a unit (g, ml, piece)")
	}
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertID(ctx, "INSERT INTO ingredients (name, unit) VALUES (?, ?)", in.Name, string(in.Unit))
		if err != nil {
			if s.d.isUnique(err) {
				return errs.E(errs.Conflict, "an ingredient is already named %s", in.Name)
			}
			return err
		}
		in.ID = id
		_, err = c.exec(ctx, `INSERT INTO stock_levels (pizzeria_id, ingredient_id, quantity, low_threshold, updated_at)
			SELECT id, ?, 0, ?, ? FROM pizzerias`, id, lowThreshold, s.Now())
		return err
	})
	return in, err
}

// RenameIngredient gives an ingredient another name; its unit stays, as
// every level and recipe counts in it.
func (s *Store) RenameIngredient(ctx context.Context, id int64, name string) (catalog.Ingredient, error) {
	in := catalog.Ingredient{ID: id, Name: name}
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "UPDATE ingredients SET name = ? WHERE id = ?", name, id); err != nil {
			if s.d.isUnique(err) {
				return errs.E(errs.Conflict, "an ingredient is already named %s", name)
			}
			return err
		}
		// Read back rather than count changed rows: MySQL counts the same
		// name again as no change.
		return notFound(c.queryRow(ctx, "SELECT unit FROM ingredients WHERE id = ?", id).Scan(&in.Unit), "ingredient")
	})
	return in, err
}

// Ingredients lists every ingredient by name.
func (s *Store) Ingredients(ctx context.Context) ([]catalog.Ingredient, error) {
	rows, err := s.read().query(ctx, "SELECT id, name, unit FROM ingredients ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Ingredient
	for rows.Next() {
		var in catalog.Ingredient
		if err := rows.Scan(&in.ID, &in.Name, &in.Unit); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// CreateProduct stores a product with its recipe.
func (s *Store) CreateProduct(ctx context.Context, p catalog.Product) (catalog.Product, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	steps, err := json.Marshal(nonNil(p.Steps))
	if err != nil {
		return p, err
	}
	err = s.write(ctx, func(c conn) error {
		id, err := c.insertID(ctx, `INSERT INTO products (category, name, description, description_en, price_cents, vat_basis, active, memo, steps, bake_seconds, bake_celsius)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(p.Category), p.Name, p.Description, p.DescriptionEN, p.PriceCents, p.VATBasis, p.Active, p.Memo,
			string(steps), p.BakeSeconds, p.BakeCelsius)
		if err != nil {
			if s.d.isUnique(err) {
				return errs.E(errs.Conflict, "a product is already named %s", p.Name)
			}
			return err
		}
		p.ID = id
		return s.insertRecipe(ctx, c, p)
	})
	return p, err
}

// Products lists the catalogue with recipes, by category then name.
// activeOnly leaves out withdrawn products.
func (s *Store) Products(ctx context.Context, activeOnly bool) ([]catalog.Product, error) {
	return s.products(ctx, 0, activeOnly)
}

// Product returns one product with its recipe.
func (s *Store) Product(ctx context.Context, id int64) (catalog.Product, error) {
	ps, err := s.products(ctx, id, false)
	if err != nil {
		return catalog.Product{}, err
	}
	if len(ps) == 0 {
		return catalog.Product{}, errs.E(errs.NotFound, "no product %d", id)
	}
	return ps[0], nil
}

func (s *Store) products(ctx context.Context, id int64, activeOnly bool) ([]catalog.Product, error) {
	c := s.read()
	where := "(id = ? OR ? = 0)"
	if activeOnly {
		where += " AND active = TRUE"
	}
	rows, err := c.query(ctx, `SELECT id, category, name, description, description_en, price_cents, vat_basis, active, memo, steps, bake_seconds, bake_celsius FROM products
		WHERE `+where+` ORDER BY CASE category WHEN 'pizza' THEN 1 WHEN 'drink' THEN 2 ELSE 3 END, name`, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Product
	index := map[int64]int{}
	for rows.Next() {
		var p catalog.Product
		var steps string
		if err := rows.Scan(&p.ID, &p.Category, &p.Name, &p.Description, &p.DescriptionEN, &p.PriceCents, &p.VATBasis, &p.Active, &p.Memo, &steps, &p.BakeSeconds, &p.BakeCelsius); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(steps), &p.Steps); err != nil {
			return nil, fmt.Errorf("product %d steps: %w", p.ID, err)
		}
		index[p.ID] = len(out)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lines, err := c.query(ctx, `SELECT r.product_id, r.ingredient_id, i.name, i.unit, r.quantity
		FROM recipe_lines r JOIN ingredients i ON i.id = r.ingredient_id
		WHERE r.product_id = ? OR ? = 0 ORDER BY r.product_id, r.quantity DESC, i.name`, id, id)
	if err != nil {
		return nil, err
	}
	defer lines.Close()
	for lines.Next() {
		var pid int64
		var l catalog.RecipeLine
		if err := lines.Scan(&pid, &l.IngredientID, &l.Name, &l.Unit, &l.Quantity); err != nil {
			return nil, err
		}
		if i, ok := index[pid]; ok {
			out[i].Recipe = append(out[i].Recipe, l)
		}
	}
	return out, lines.Err()
}

// nonNil stores an empty list as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
