-- herald_analyst: a NOLOGIN role that may read the analytics tables and the views tables, and
-- nothing else (never the journal, message content, keys or sessions). Analysts log in as
-- their own roles IN ROLE herald_analyst (docs/analytics.md).
-- Roles are cluster-wide and the migrating user may lack CREATEROLE: then the migration says so
-- (NOTICE) and goes on; a DBA creates the role and runs the grants of docs/analytics.md.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'herald_analyst') THEN
    BEGIN
      CREATE ROLE herald_analyst NOLOGIN;
    EXCEPTION
      WHEN duplicate_object THEN
        NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'role herald_analyst not created (%); see docs/analytics.md', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'herald_analyst') THEN
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO herald_analyst', current_schema());
      GRANT SELECT ON analytics_chat_daily, analytics_channel_posts, analytics_messages_hourly,
        analytics_chats_created, analytics_active_users, analytics_accounts_daily,
        message_views, chat_views_daily TO herald_analyst;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'grants to herald_analyst not made (%); see docs/analytics.md', SQLERRM;
    END;
  END IF;
END
$$;
