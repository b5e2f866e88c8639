-- Migration 003: rostering (services/solver/roster): shift types, settings, requests, roster versions and their audit.
CREATE TABLE IF NOT EXISTS roster_shift_types (
  location_id    INT          NOT NULL,
  shift_code     VARCHAR(16)  NOT NULL COMMENT 'early | day | late ...',
  shift_name     VARCHAR(16)  NOT NULL COMMENT '早番 / 日勤 / 遅番',
  start_time     TIME         NOT NULL,
  end_time       TIME         NOT NULL,
  break_minutes  SMALLINT     NOT NULL DEFAULT 60,
  is_late        TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'counted in the fair spread of late shifts',
  demand_share   DECIMAL(4,2) NOT NULL DEFAULT 1.00 COMMENT 'share of the day''s headcount this shift covers',
  PRIMARY KEY (location_id, shift_code),
  CONSTRAINT fk_roster_shift_location FOREIGN KEY (location_id) REFERENCES locations(location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS roster_settings (
  location_id          INT          PRIMARY KEY,
  rest_interval_hours  DECIMAL(4,1) NOT NULL DEFAULT 11.0 COMMENT '勤務間インターバル',
  four_in_four         TINYINT(1)   NOT NULL DEFAULT 0 COMMENT '労基法35条2項 変形休日制 (4週4休)',
  max_consecutive_days TINYINT      NOT NULL DEFAULT 6,
  closed_on_holidays   TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'site closed on 国民の祝日',
  overtime_month_limit_hours DECIMAL(6,1) NOT NULL DEFAULT 45.0 COMMENT '36協定',
  overtime_year_limit_hours  DECIMAL(6,1) NOT NULL DEFAULT 360.0 COMMENT '36協定',
  CONSTRAINT fk_roster_settings_location FOREIGN KEY (location_id) REFERENCES locations(location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS roster_requests (
  request_id     BIGINT PRIMARY KEY AUTO_INCREMENT,
  employee_id    INT          NOT NULL,
  location_id    INT          NOT NULL,
  request_date   DATE         NOT NULL,
  shift_code     VARCHAR(16)  NULL COMMENT 'NULL: 希望休 (day off); else 希望シフト',
  status         VARCHAR(16)  NOT NULL DEFAULT 'pending' COMMENT 'pending | approved (approved 希望休 is fixed)',
  note           VARCHAR(128) NOT NULL DEFAULT '',
  KEY idx_roster_requests (location_id, request_date),
  CONSTRAINT fk_roster_request_employee FOREIGN KEY (employee_id) REFERENCES employees(employee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS roster_versions (
  roster_id      BIGINT PRIMARY KEY AUTO_INCREMENT,
  location_id    INT          NOT NULL,
  period_start   DATE         NOT NULL,
  period_days    SMALLINT     NOT NULL,
  version        INT          NOT NULL COMMENT 'per (location, period_start): 1, 2, ... publish needs the latest',
  status         VARCHAR(16)  NOT NULL COMMENT 'draft | published',
  cells_json     JSON         NOT NULL COMMENT '{"employee_id": ["early", null, ...]}',
  costs_json     JSON         NOT NULL,
  objective      DECIMAL(12,2) NOT NULL,
  bound          DECIMAL(12,2) NOT NULL,
  created_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at   TIMESTAMP(3) NULL,
  UNIQUE KEY uq_roster_version (location_id, period_start, version),
  CONSTRAINT fk_roster_version_location FOREIGN KEY (location_id) REFERENCES locations(location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS roster_audit (
  audit_id       BIGINT PRIMARY KEY AUTO_INCREMENT,
  roster_id      BIGINT       NOT NULL,
  location_id    INT          NOT NULL,
  action         VARCHAR(16)  NOT NULL COMMENT 'publish',
  actor          VARCHAR(64)  NOT NULL,
  changed_cells  INT          NOT NULL COMMENT 'cells that differ from the previously published roster',
  created_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_roster_audit (location_id, created_at),
  CONSTRAINT fk_roster_audit_version FOREIGN KEY (roster_id) REFERENCES roster_versions(roster_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
