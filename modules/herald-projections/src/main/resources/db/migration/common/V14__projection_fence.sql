-- The offset each exactly-once projection instance last applied (OffsetFence; see
-- ARCHITECTURE.md "Failure behaviour"). Written in the same transaction as the read-model rows
-- and pekko-projection's own offset row, it lets a second instance of the same projection (on a
-- node that froze and was replaced) find out that a group was applied already. A rebuild
-- deletes a projection's rows here together with its offsets.
CREATE TABLE projection_fence (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  applied_offset BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);
