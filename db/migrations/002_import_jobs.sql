-- Migration 002: one row per import run (CLI, REST, console) so GET /api/v1/imports/{id} can return its report.
CREATE TABLE IF NOT EXISTS import_jobs (
  import_id     VARCHAR(36)  PRIMARY KEY COMMENT 'uuid4 hex',
  kind          VARCHAR(32)  NOT NULL COMMENT 'attendance | employees | ... (services.dataio.kinds)',
  file_name     VARCHAR(255) NOT NULL DEFAULT '',
  status        VARCHAR(16)  NOT NULL COMMENT 'validated | imported | rejected | failed',
  dry_run       TINYINT(1)   NOT NULL DEFAULT 0,
  row_count     INT          NOT NULL DEFAULT 0,
  report_json   JSON         NULL COMMENT 'the full report: counts, bad rows (capped), unknown codes',
  created_at    TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_import_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
