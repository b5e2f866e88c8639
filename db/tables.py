"""Column order of every generated row, and the order tables are wiped/loaded in.

Generators emit plain tuples in exactly these column orders; the bulk writer names the columns in its
INSERT / LOAD DATA statement, so columns left out here keep their schema defaults.
"""
from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "locations": ("location_id", "location_name", "location_code", "region", "overtime_limit_hours"),
    "processes": ("process_id", "process_code", "process_name", "min_skill_level", "requires_veteran",
                  "standard_units_per_hour"),
    "employees": ("employee_id", "employee_code", "location_id", "employee_name", "skill_level", "hire_date",
                  "employment_type", "contract_hours_per_day", "max_overtime_hours_per_day", "is_active"),
    "employee_skills": ("employee_id", "process_id", "skill_level", "certified_at"),
    "productivity_records": ("record_id", "employee_id", "location_id", "process_id", "record_date",
                             "productivity_score", "units_processed", "hours_worked", "overtime_hours"),
    "attendance_records": ("attendance_id", "employee_id", "location_id", "attendance_date",
                           "attendance_status", "scheduled_hours", "actual_hours", "overtime_hours"),
    "shift_plans": ("shift_id", "employee_id", "location_id", "shift_date", "planned_status",
                    "start_time", "end_time"),
    "daily_assignments": ("assignment_id", "location_id", "employee_id", "process_id", "assignment_date",
                          "time_block", "planned_hours", "status", "source", "version", "updated_at"),
    "assignment_adjustments": ("adjustment_id", "original_assignment_id", "adjustment_type",
                               "adjustment_date", "ai_confidence_score", "adjusted_by", "reason",
                               "before_json", "after_json", "created_at"),
    "workload_forecasts": ("forecast_id", "location_id", "process_id", "forecast_date", "time_block",
                           "forecast_units", "lower_units", "upper_units", "actual_units", "method",
                           "created_at"),
    "alerts": ("alert_id", "location_id", "alert_type", "severity", "status", "title", "message",
               "evidence_json", "period_start", "period_end", "rule_key", "detected_at", "resolved_at"),
    # No context_id: rows mirrored from knowledge documents survive a reload and keep their ids.
    "rag_context": ("context_type", "context_key", "context_value", "relevance_score",
                    "use_count", "location_id", "created_at"),
}

# Every table of schema.sql, children before parents (the wipe order).
ALL_TABLES: tuple[str, ...] = (
    "assignment_adjustments", "daily_assignments", "shift_plans", "attendance_records",
    "productivity_records", "employee_skills", "workload_forecasts", "alerts", "rag_context",
    "chat_messages", "knowledge_documents", "employees", "processes", "locations",
)
# Tables the generator owns and a normal load wipes. knowledge_documents and chat_messages belong to the
# knowledge / gateway engines and survive a reload (only --reset drops them); rag_context rows that mirror
# a knowledge document (doc_id IS NOT NULL) survive too.
GENERATED_TABLES: tuple[str, ...] = tuple(COLUMNS)
