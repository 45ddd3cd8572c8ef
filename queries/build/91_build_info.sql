-- Grain: exactly one row describing this snapshot.
-- schema: a hash of the build steps' SQL (dashboard.db.build_schema); the app serves only
-- a warehouse whose schema matches its own, so a file built by another version is
-- refused at open with a clear message instead of failing query by query.
-- complement_rule: how complements were chosen (dashboard/insights/disclosure.py); a
-- release that follows this one keeps the rule, so kept periods withhold the same cells.
-- Parameters: $build_id, $as_of, $network, $code_version, $schema, $complement_rule.
CREATE TABLE build_info AS
SELECT
    CAST($build_id AS VARCHAR) AS build_id,
    CAST($as_of AS DATE) AS as_of,
    CAST($network AS VARCHAR) AS network,
    CAST(now() AS TIMESTAMP) AS built_at,
    CAST($code_version AS VARCHAR) AS code_version,
    CAST($schema AS VARCHAR) AS schema,
    CAST($complement_rule AS VARCHAR) AS complement_rule
