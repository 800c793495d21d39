-- herald_analyst on the embedded database: the same read-only grants as on PostgreSQL (SELECT
-- on the analytics and views tables only). H2 users are created by its administrator with
-- CREATE USER … and GRANT herald_analyst TO …; most installations that analyse run PostgreSQL.
CREATE ROLE IF NOT EXISTS herald_analyst;
GRANT SELECT ON analytics_chat_daily, analytics_channel_posts, analytics_messages_hourly,
  analytics_chats_created, analytics_active_users, analytics_accounts_daily,
  message_views, chat_views_daily TO herald_analyst;
