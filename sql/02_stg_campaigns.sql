-- stg_campaigns: one row per campaign, with the dimensions the facts carry.
-- Message type of a campaign: the message type of the campaign's template (templates_raw), as in
-- Iterable, where the template decides the message type and so the channel. NULL when the
-- campaign has no template or its template is unknown. Labels: the JSON array joined with ', '.
CREATE OR REPLACE VIEW iterable_analytics.stg_campaigns AS
WITH campaigns AS (
  SELECT *
  FROM iterable_raw.campaigns_raw
  WHERE campaign_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY updated_at DESC) = 1
),

templates AS (
  SELECT template_id, message_type_id
  FROM iterable_raw.templates_raw
  WHERE template_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY template_id ORDER BY updated_at DESC) = 1
),

final AS (
  SELECT
    campaigns.campaign_id,
    campaigns.name AS campaign_name,
    campaigns.campaign_type,
    campaigns.campaign_state,
    campaigns.message_medium,
    campaigns.template_id,
    message_types.message_type_id,
    message_types.message_type_name,
    message_types.channel_id,
    message_types.channel_name,
    message_types.channel_type,
    ARRAY_TO_STRING(JSON_VALUE_ARRAY(campaigns.labels), ', ') AS labels,
    campaigns.created_at,
    campaigns.start_at AS started_at,
    campaigns.ended_at
  FROM campaigns
  LEFT JOIN templates ON templates.template_id = campaigns.template_id
  LEFT JOIN iterable_analytics.stg_message_types AS message_types
    ON message_types.message_type_id = templates.message_type_id
)

SELECT * FROM final
