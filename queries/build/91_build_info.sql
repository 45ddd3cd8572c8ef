-- Grain: exactly one row describing this snapshot.
-- Parameters: $build_id, $as_of, $network, $code_version.
CREATE TABLE build_info AS
SELECT
    CAST($build_id AS VARCHAR) AS build_id,
    CAST($as_of AS DATE) AS as_of,
    CAST($network AS VARCHAR) AS network,
    CAST(now() AS TIMESTAMP) AS built_at,
    CAST($code_version AS VARCHAR) AS code_version
