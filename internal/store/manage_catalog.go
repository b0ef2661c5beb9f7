package store

import (
	"context"
	"encoding/json"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

// UpdateProduct rewrites a product and its recipe in one transaction.
// Orders keep the name and price they copied when they were placed.
func (s *Store) UpdateProduct(ctx context.Context, p catalog.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	steps, err := json.Marshal(nonNil(p.Steps))
	if err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM products WHERE id = ?"+s.d.forUpdate(), p.ID).Scan(&one); err != nil {
			return notFound(err, "product")
		}
		_, err := c.exec(ctx, `UPDATE products SET category = ?, name = ?, description = ?, description_en = ?, price_cents = ?, vat_basis = ?, active = ?,
			memo = ?, steps = ?, bake_seconds = ?, bake_celsius = ? WHERE id = ?`,
			string(p.Category), p.Name, p.Description, p.DescriptionEN, p.PriceCents, p.VATBasis, p.Active, p.Memo, string(steps), p.BakeSeconds, p.BakeCelsius, p.ID)
		if err != nil {
			if s.d.isUnique(err) {
				return errs.E(errs.Conflict, "a product is already named %s", p.Name)
			}
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM recipe_lines WHERE product_id = ?", p.ID); err != nil {
			return err
		}
		return s.insertRecipe(ctx, c, p)
	})
}

// insertRecipe writes a product's recipe lines; an ingredient that does
// not exist is the caller's mistake, not a failure of ours.
func (s *Store) insertRecipe(ctx context.Context, c conn, p catalog.Product) error {
	for _, l := range p.Recipe {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM ingredients WHERE id = ?", l.IngredientID).Scan(&one); err != nil {
			if nf := notFound(err, "ingredient"); errs.Is(nf, errs.NotFound) {
				return errs.E(errs.Invalid, "no ingredient %d", l.IngredientID).With("field", "recipe")
			}
			return err
		}
		if _, err := c.exec(ctx, "INSERT INTO recipe_lines (product_id, ingredient_id, quantity) VALUES (?, ?, ?)", p.ID, l.IngredientID, l.Quantity); err != nil {
			return err
		}
	}
	return nil
}

// SetOffMenu takes a product off one pizzeria's menu with a reason (or
// rewords the reason); ClearOffMenu puts it back.
func (s *Store) SetOffMenu(ctx context.Context, pizzeriaID int64, o catalog.OffMenu) error {
	return s.write(ctx, func(c conn) error {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM pizzerias WHERE id = ?", pizzeriaID).Scan(&one); err != nil {
			return notFound(err, "pizzeria")
		}
		if err := c.queryRow(ctx, "SELECT 1 FROM products WHERE id = ?", o.ProductID).Scan(&one); err != nil {
			return notFound(err, "product")
		}
		if _, err := c.exec(ctx, "DELETE FROM menu_withdrawals WHERE pizzeria_id = ? AND product_id = ?", pizzeriaID, o.ProductID); err != nil {
			return err
		}
		_, err := c.exec(ctx, "INSERT INTO menu_withdrawals (pizzeria_id, product_id, reason, by_user_id, at) VALUES (?, ?, ?, ?, ?)",
			pizzeriaID, o.ProductID, o.Reason, nullInt(o.ByUserID), s.Now())
		return err
	})
}

// ClearOffMenu puts a product back on a pizzeria's menu; it reports
// whether it was off.
func (s *Store) ClearOffMenu(ctx context.Context, pizzeriaID, productID int64) (bool, error) {
	var was bool
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM menu_withdrawals WHERE pizzeria_id = ? AND product_id = ?", pizzeriaID, productID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		was = n > 0
		return err
	})
	return was, err
}

// OffMenus returns every product taken off a pizzeria's menu, by
// pizzeria then product.
func (s *Store) OffMenus(ctx context.Context) (map[int64]map[int64]catalog.OffMenu, error) {
	rows, err := s.read().query(ctx, "SELECT pizzeria_id, product_id, reason, COALESCE(by_user_id, 0), at FROM menu_withdrawals")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[int64]catalog.OffMenu{}
	for rows.Next() {
		var pid int64
		var o catalog.OffMenu
		if err := rows.Scan(&pid, &o.ProductID, &o.Reason, &o.ByUserID, &o.At); err != nil {
			return nil, err
		}
		if out[pid] == nil {
			out[pid] = map[int64]catalog.OffMenu{}
		}
		out[pid][o.ProductID] = o
	}
	return out, rows.Err()
}
