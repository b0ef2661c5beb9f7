package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// CreatePizzeria stores a new pizzeria with its delivery postcodes.
func (s *Store) CreatePizzeria(ctx context.Context, p pizzeria.Pizzeria) (pizzeria.Pizzeria, error) {
	if p.Kitchen == (pizzeria.KitchenSettings{}) {
		p.Kitchen = pizzeria.DefaultKitchen
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	hours, err := json.Marshal(p.Hours)
	if err != nil {
		return p, err
	}
	err = s.write(ctx, func(c conn) error {
		p.ID, err = s.insertPizzeria(ctx, c, p, string(hours))
		return err
	})
	return p, err
}

// insertPizzeria writes a new pizzeria, its order counter and its
// delivery postcodes inside a transaction, and returns its id.
func (s *Store) insertPizzeria(ctx context.Context, c conn, p pizzeria.Pizzeria, hours string) (int64, error) {
	id, err := c.insertID(ctx, `INSERT INTO pizzerias (code, name, street, postcode, city, phone, hours, active, created_at, kitchen_warn_minutes, kitchen_late_minutes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, p.Name, p.Address.Street, p.Address.Postcode, p.Address.City, p.Phone, hours, p.Active, s.Now(), p.Kitchen.WarnMinutes, p.Kitchen.LateMinutes)
	if err != nil {
		if s.d.isUnique(err) {
			return 0, errs.E(errs.Conflict, "a pizzeria already uses the code %s", p.Code)
		}
		return 0, err
	}
	if _, err := c.exec(ctx, "INSERT INTO order_counters (pizzeria_id, prefix, seq) VALUES (?, ?, 0)", id, p.Code); err != nil {
		return 0, err
	}
	for _, pc := range p.DeliveryPostcodes {
		if _, err := c.exec(ctx, "INSERT INTO pizzeria_postcodes (pizzeria_id, postcode) VALUES (?, ?)", id, pc); err != nil {
			return 0, fmt.Errorf("postcode %s: %w", pc, err)
		}
	}
	return id, nil
}

// SetHours replaces a pizzeria's weekly opening hours.
func (s *Store) SetHours(ctx context.Context, pizzeriaID int64, hours []pizzeria.Hours) error {
	if err := pizzeria.ValidateHours(hours); err != nil {
		return err
	}
	data, err := json.Marshal(hours)
	if err != nil {
		return err
	}
	return s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE pizzerias SET hours = ? WHERE id = ?", string(data), pizzeriaID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errs.E(errs.NotFound, "no pizzeria %d", pizzeriaID)
		}
		return nil
	})
}

// Pizzerias lists every pizzeria, active or not, by id.
func (s *Store) Pizzerias(ctx context.Context) ([]pizzeria.Pizzeria, error) {
	return s.pizzerias(ctx, 0)
}

// Pizzeria returns one pizzeria.
func (s *Store) Pizzeria(ctx context.Context, id int64) (pizzeria.Pizzeria, error) {
	ps, err := s.pizzerias(ctx, id)
	if err != nil {
		return pizzeria.Pizzeria{}, err
	}
	if len(ps) == 0 {
		return pizzeria.Pizzeria{}, errs.E(errs.NotFound, "no pizzeria %d", id)
	}
	return ps[0], nil
}

// pizzerias reads one pizzeria (id > 0) or all of them.
func (s *Store) pizzerias(ctx context.Context, id int64) ([]pizzeria.Pizzeria, error) {
	c := s.read()
	rows, err := c.query(ctx, `SELECT id, code, name, street, postcode, city, phone, hours, active, kitchen_warn_minutes, kitchen_late_minutes
		FROM pizzerias WHERE id = ? OR ? = 0 ORDER BY id`, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pizzeria.Pizzeria
	index := map[int64]int{}
	for rows.Next() {
		var p pizzeria.Pizzeria
		var hours string
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.Address.Street, &p.Address.Postcode, &p.Address.City, &p.Phone, &hours, &p.Active,
			&p.Kitchen.WarnMinutes, &p.Kitchen.LateMinutes); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(hours), &p.Hours); err != nil {
			return nil, fmt.Errorf("pizzeria %d hours: %w", p.ID, err)
		}
		p.DeliveryPostcodes = []string{}
		index[p.ID] = len(out)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pcs, err := c.query(ctx, "SELECT pizzeria_id, postcode FROM pizzeria_postcodes WHERE pizzeria_id = ? OR ? = 0 ORDER BY pizzeria_id, postcode", id, id)
	if err != nil {
		return nil, err
	}
	defer pcs.Close()
	for pcs.Next() {
		var pid int64
		var pc string
		if err := pcs.Scan(&pid, &pc); err != nil {
			return nil, err
		}
		if i, ok := index[pid]; ok {
			out[i].DeliveryPostcodes = append(out[i].DeliveryPostcodes, pc)
		}
	}
	if err := pcs.Err(); err != nil {
		return nil, err
	}
	return out, s.readClosures(ctx, c, id, out, index)
}
