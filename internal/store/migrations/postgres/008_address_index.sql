-- A customer's saved addresses are read by customer, at every delivery order
-- that names one and on the address list.
CREATE INDEX customer_addresses_by_user ON customer_addresses (user_id);
