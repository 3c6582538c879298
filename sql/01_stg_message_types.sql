-- stg_message_types: one row per message type (Iterable's "email category"), with its channel.
-- Dimension tables are reloaded whole, but a listing that pages while records change can return
-- a record twice, so each id keeps its most recently updated record.
CREATE OR REPLACE VIEW iterable_analytics.stg_message_types AS
WITH message_types AS (
  SELECT message_type_id, name, channel_id
  FROM iterable_raw.message_types_raw
  WHERE message_type_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY message_type_id ORDER BY updated_at DESC) = 1
),

channels AS (
  SELECT channel_id, name, channel_type
  FROM iterable_raw.channels_raw
  WHERE channel_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY name) = 1
),

final AS (
  SELECT
    message_types.message_type_id,
    message_types.name AS message_type_name,
    message_types.channel_id,
    channels.name AS channel_name,
    channels.channel_type
  FROM message_types
  LEFT JOIN channels ON channels.channel_id = message_types.channel_id
)

SELECT * FROM final
