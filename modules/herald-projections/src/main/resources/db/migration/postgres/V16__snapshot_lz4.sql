-- Snapshots are compressed with LZ4 instead of PostgreSQL's default pglz (docs/benchmarks.md,
-- "Leaner rows per message"). A chat's snapshot holds its recent window, about 175 KB, which
-- either method compresses to about 55 KB; pglz took 1.5-1.9 ms of the server's CPU per
-- snapshot, LZ4 0.3-0.4 ms, and reading one back takes half as long. Applies to snapshots
-- written from now on; older ones stay readable as they are. LZ4 needs PostgreSQL 14 or later,
-- built with it (the Debian and Ubuntu packages are); elsewhere snapshots stay with pglz.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    BEGIN
      EXECUTE 'ALTER TABLE snapshot ALTER COLUMN snapshot_payload SET COMPRESSION lz4';
    EXCEPTION
      WHEN feature_not_supported OR invalid_parameter_value THEN
        RAISE NOTICE 'snapshots stay compressed with pglz (%)', SQLERRM;
    END;
  END IF;
END
$$;
