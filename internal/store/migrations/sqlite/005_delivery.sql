-- Where a delivery goes and how long it takes: the geocoded point (in
-- millionths of a degree, an integer on every engine), the driving
-- distance and the promised time.
ALTER TABLE orders ADD COLUMN lat_e6 BIGINT NULL;
ALTER TABLE orders ADD COLUMN lng_e6 BIGINT NULL;
ALTER TABLE orders ADD COLUMN distance_m BIGINT NULL;
ALTER TABLE orders ADD COLUMN eta_minutes BIGINT NULL;
