package store

import (
	"context"
	"time"
)

// MoneyMovement is one charge or refund with the payment provider.
type MoneyMovement struct {
	ID          int64
	OrderID     int64
	Kind        string // "charge" or "refund"
	ProviderRef string // the provider's payment or refund id
	ChargeRef   string // for a refund, the charge it gives back; for a charge, itself
	AmountCents int64
	Status      string
	At          time.Time
}

// RecordMoney adds a charge or refund to an order's payment ledger.
func (s *Store) RecordMoney(ctx context.Context, m MoneyMovement) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO payments (order_id, kind, provider_ref, charge_ref, amount_cents, status, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.OrderID, m.Kind, m.ProviderRef, m.ChargeRef, m.AmountCents, m.Status, s.Now())
		return err
	})
}

// MoneyOf lists an order's charges and refunds, oldest first.
func (s *Store) MoneyOf(ctx context.Context, orderID int64) ([]MoneyMovement, error) {
	rows, err := s.read().query(ctx, "SELECT id, order_id, kind, provider_ref, charge_ref, amount_cents, status, at FROM payments WHERE order_id = ? ORDER BY id", orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MoneyMovement
	for rows.Next() {
		var m MoneyMovement
		if err := rows.Scan(&m.ID, &m.OrderID, &m.Kind, &m.ProviderRef, &m.ChargeRef, &m.AmountCents, &m.Status, &m.At); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
