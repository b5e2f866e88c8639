-- Migration 001: the AIMEE aimee_db baseline schema (14 tables), formerly db/schema.sql. Idempotent (CREATE TABLE IF NOT EXISTS).
-- Table and column names the seed's SQL uses are fixed; the rest is ours.
-- location_id is denormalised into productivity_records and attendance_records so that per-site
-- aggregation runs on a covering index without a join (the seed's joined queries still work unchanged).

CREATE TABLE IF NOT EXISTS locations (
  location_id    INT PRIMARY KEY AUTO_INCREMENT,
  location_name  VARCHAR(32)  NOT NULL UNIQUE COMMENT '横浜, 品川, 札幌, 大阪, 佐世保',
  location_code  VARCHAR(32)  NOT NULL UNIQUE COMMENT 'yokohama, shinagawa, ...',
  region         VARCHAR(32)  NOT NULL COMMENT '関東, 北海道, 関西, 九州: staff may move within a region',
  overtime_limit_hours DECIMAL(6,2) NOT NULL DEFAULT 20.00 COMMENT 'site-wide overtime cap per day (staff-hours)',
  created_at     TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS processes (
  process_id        INT PRIMARY KEY AUTO_INCREMENT,
  process_code      VARCHAR(32) NOT NULL UNIQUE COMMENT 'picking, inspection, ...',
  process_name      VARCHAR(32) NOT NULL UNIQUE COMMENT 'ピッキング, 検品, 梱包, 入荷, 出荷, 仕分け',
  min_skill_level   TINYINT     NOT NULL DEFAULT 1 COMMENT 'minimum employees.skill_level to be assigned',
  requires_veteran  TINYINT(1)  NOT NULL DEFAULT 0 COMMENT 'at least one veteran (skill >= 4) per block',
  standard_units_per_hour DECIMAL(8,2) NOT NULL COMMENT 'units one staff-hour handles at productivity_score 100'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS employees (
  employee_id     INT PRIMARY KEY AUTO_INCREMENT,
  employee_code   VARCHAR(32)  NOT NULL UNIQUE,
  location_id     INT          NOT NULL,
  employee_name   VARCHAR(64)  NOT NULL,
  skill_level     TINYINT      NOT NULL COMMENT '1 (new) .. 5 (expert); >= 4 is a veteran',
  hire_date       DATE         NOT NULL,
  employment_type VARCHAR(16)  NOT NULL DEFAULT 'full_time' COMMENT 'full_time | part_time | temp',
  contract_hours_per_day DECIMAL(4,2) NOT NULL DEFAULT 8.00,
  max_overtime_hours_per_day DECIMAL(4,2) NOT NULL DEFAULT 2.00,
  is_active       TINYINT(1)   NOT NULL DEFAULT 1,
  created_at      TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_employees_location (location_id, is_active),
  CONSTRAINT fk_employees_location FOREIGN KEY (location_id) REFERENCES locations(location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS employee_skills (
  employee_id   INT     NOT NULL,
  process_id    INT     NOT NULL,
  skill_level   TINYINT NOT NULL COMMENT 'per-process proficiency 1..5',
  certified_at  DATE    NULL,
  PRIMARY KEY (employee_id, process_id),
  KEY idx_skills_process (process_id),
  CONSTRAINT fk_skills_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id) ON DELETE CASCADE,
  CONSTRAINT fk_skills_process FOREIGN KEY (process_id) REFERENCES processes(process_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS productivity_records (
  record_id          BIGINT PRIMARY KEY AUTO_INCREMENT,
  employee_id        INT          NOT NULL,
  location_id        INT          NOT NULL COMMENT 'denormalised from employees for covering-index aggregation',
  process_id         INT          NOT NULL,
  record_date        DATE         NOT NULL,
  productivity_score DECIMAL(6,2) NOT NULL COMMENT 'percent of standard rate (100 = standard)',
  units_processed    INT          NOT NULL,
  hours_worked       DECIMAL(5,2) NOT NULL,
  overtime_hours     DECIMAL(5,2) NOT NULL DEFAULT 0,
  UNIQUE KEY uq_prod (employee_id, process_id, record_date),
  KEY idx_prod_loc_date (location_id, record_date, process_id, productivity_score, hours_worked, overtime_hours, employee_id),
  KEY idx_prod_date (record_date, productivity_score),
  CONSTRAINT fk_prod_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id),
  CONSTRAINT fk_prod_process FOREIGN KEY (process_id) REFERENCES processes(process_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS attendance_records (
  attendance_id     BIGINT PRIMARY KEY AUTO_INCREMENT,
  employee_id       INT          NOT NULL,
  location_id       INT          NOT NULL COMMENT 'denormalised from employees',
  attendance_date   DATE         NOT NULL,
  attendance_status VARCHAR(16)  NOT NULL COMMENT 'present | absent | late | early_leave | paid_leave',
  scheduled_hours   DECIMAL(4,2) NOT NULL DEFAULT 8.00,
  actual_hours      DECIMAL(4,2) NOT NULL DEFAULT 0,
  overtime_hours    DECIMAL(4,2) NOT NULL DEFAULT 0,
  UNIQUE KEY uq_att (employee_id, attendance_date),
  KEY idx_att_loc_date (location_id, attendance_date, attendance_status, overtime_hours, employee_id),
  KEY idx_att_date (attendance_date, attendance_status, overtime_hours),
  KEY idx_att_emp_status (employee_id, attendance_date, attendance_status) COMMENT 'the seed staff_query join',
  CONSTRAINT fk_att_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS shift_plans (
  shift_id       BIGINT PRIMARY KEY AUTO_INCREMENT,
  employee_id    INT          NOT NULL,
  location_id    INT          NOT NULL,
  shift_date     DATE         NOT NULL,
  planned_status VARCHAR(16)  NOT NULL COMMENT 'scheduled | day_off | paid_leave | absent_notified',
  start_time     TIME         NOT NULL DEFAULT '09:00:00',
  end_time       TIME         NOT NULL DEFAULT '18:00:00',
  UNIQUE KEY uq_shift (employee_id, shift_date),
  KEY idx_shift_loc_date (location_id, shift_date, planned_status),
  CONSTRAINT fk_shift_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS daily_assignments (
  assignment_id   BIGINT PRIMARY KEY AUTO_INCREMENT,
  location_id     INT          NOT NULL,
  employee_id     INT          NOT NULL,
  process_id      INT          NOT NULL,
  assignment_date DATE         NOT NULL,
  time_block      VARCHAR(16)  NOT NULL COMMENT 'morning | afternoon | overtime',
  planned_hours   DECIMAL(4,2) NOT NULL,
  status          VARCHAR(16)  NOT NULL DEFAULT 'planned' COMMENT 'planned | confirmed | changed | cancelled',
  source          VARCHAR(16)  NOT NULL DEFAULT 'manual' COMMENT 'manual | optimizer',
  version         INT          NOT NULL DEFAULT 1 COMMENT 'optimistic concurrency',
  updated_at      TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_assign (employee_id, assignment_date, time_block),
  KEY idx_assign_loc_date (location_id, assignment_date, process_id),
  CONSTRAINT fk_assign_location FOREIGN KEY (location_id) REFERENCES locations(location_id),
  CONSTRAINT fk_assign_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id),
  CONSTRAINT fk_assign_process FOREIGN KEY (process_id) REFERENCES processes(process_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS assignment_adjustments (
  adjustment_id          BIGINT PRIMARY KEY AUTO_INCREMENT,
  original_assignment_id BIGINT       NOT NULL,
  adjustment_type        VARCHAR(32)  NOT NULL COMMENT 'process_change | block_change | hours_change | absence_cover | overtime_extension | cancel',
  adjustment_date        DATE         NOT NULL,
  ai_confidence_score    DECIMAL(4,3) NULL COMMENT '0..1; NULL for purely manual changes',
  adjusted_by            VARCHAR(64)  NOT NULL DEFAULT 'system',
  reason                 VARCHAR(500) NOT NULL DEFAULT '',
  before_json            JSON         NULL,
  after_json             JSON         NULL,
  created_at             TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_adj_assignment (original_assignment_id),
  KEY idx_adj_date (adjustment_date, adjustment_type),
  CONSTRAINT fk_adj_assignment FOREIGN KEY (original_assignment_id) REFERENCES daily_assignments(assignment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS workload_forecasts (
  forecast_id     BIGINT PRIMARY KEY AUTO_INCREMENT,
  location_id     INT           NOT NULL,
  process_id      INT           NOT NULL,
  forecast_date   DATE          NOT NULL,
  time_block      VARCHAR(16)   NOT NULL COMMENT 'morning | afternoon | overtime',
  forecast_units  DECIMAL(10,2) NOT NULL COMMENT 'expected work volume (units)',
  lower_units     DECIMAL(10,2) NULL COMMENT 'prediction interval lower bound',
  upper_units     DECIMAL(10,2) NULL COMMENT 'prediction interval upper bound',
  actual_units    DECIMAL(10,2) NULL COMMENT 'filled in for past dates',
  method          VARCHAR(32)   NOT NULL DEFAULT 'seasonal_trend',
  created_at      TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_forecast (location_id, process_id, forecast_date, time_block),
  KEY idx_forecast_date (forecast_date),
  CONSTRAINT fk_forecast_location FOREIGN KEY (location_id) REFERENCES locations(location_id),
  CONSTRAINT fk_forecast_process FOREIGN KEY (process_id) REFERENCES processes(process_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS alerts (
  alert_id      BIGINT PRIMARY KEY AUTO_INCREMENT,
  location_id   INT          NOT NULL,
  alert_type    VARCHAR(32)  NOT NULL COMMENT 'overtime_over_limit | productivity_drop | absence_spike | staffing_shortage',
  severity      VARCHAR(16)  NOT NULL COMMENT 'low | medium | high | critical',
  status        VARCHAR(16)  NOT NULL DEFAULT 'open' COMMENT 'open | acknowledged | resolved',
  title         VARCHAR(200) NOT NULL,
  message       VARCHAR(1000) NOT NULL,
  evidence_json JSON         NULL COMMENT 'the numbers the rule saw',
  period_start  DATE         NOT NULL,
  period_end    DATE         NOT NULL,
  rule_key      VARCHAR(191) NOT NULL COMMENT 'rule + subject + period: makes detection idempotent',
  detected_at   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  resolved_at   TIMESTAMP    NULL,
  UNIQUE KEY uq_alert_rule (rule_key),
  KEY idx_alert_loc (location_id, status, detected_at),
  KEY idx_alert_type (alert_type, severity),
  CONSTRAINT fk_alert_location FOREIGN KEY (location_id) REFERENCES locations(location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS knowledge_documents (
  doc_id        VARCHAR(64)  PRIMARY KEY,
  title         VARCHAR(200) NOT NULL,
  category      VARCHAR(32)  NOT NULL COMMENT '配置ルール | 現場ノウハウ | 成功事例 | 失敗パターン | 従業員特性',
  location_id   INT          NULL COMMENT 'NULL = applies to every site',
  source        VARCHAR(191) NOT NULL UNIQUE COMMENT 're-registering the same source replaces the document',
  chunk_count   INT          NOT NULL,
  content_hash  CHAR(64)     NOT NULL,
  created_at    TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_doc_location (location_id, category)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS rag_context (
  context_id      BIGINT PRIMARY KEY AUTO_INCREMENT,
  context_type    VARCHAR(32)   NOT NULL COMMENT 'implicit_knowledge | manager_feedback | case_result ...',
  context_key     VARCHAR(255)  NOT NULL COMMENT 'keywords, matched with LIKE by the seed query',
  context_value   TEXT          NOT NULL,
  relevance_score DECIMAL(4,3)  NOT NULL DEFAULT 0.500,
  use_count       INT           NOT NULL DEFAULT 0,
  location_id     INT           NULL,
  doc_id          VARCHAR(64)   NULL COMMENT 'set when mirrored from a knowledge document',
  created_at      TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_ctx_key (context_key(64)),
  KEY idx_ctx_doc (doc_id),
  KEY idx_ctx_rank (relevance_score, use_count)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS chat_messages (
  message_id    BIGINT PRIMARY KEY AUTO_INCREMENT,
  session_id    VARCHAR(64)  NOT NULL,
  user_id       VARCHAR(64)  NOT NULL DEFAULT '',
  role          VARCHAR(16)  NOT NULL COMMENT 'user | assistant',
  content       TEXT         NOT NULL,
  intent_json   JSON         NULL COMMENT 'parsed intent of a user turn; follow-ups resolve against it',
  created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_chat_session (session_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
