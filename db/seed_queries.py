"""The seed design doc's SQL, byte-for-byte (aimee-backend-v2.md: 処理フロー詳細, 簡単な質問, 実データ活用戦略).

Why here: the schema and the sample data must keep these running unchanged, so engines and tests share one
copy instead of retyping them. Regenerate from the doc, never edit by hand. Parameters are `%s` placeholders:
the site queries take (location_name,), CONTEXT_QUERY takes (f"%{query}%",), the others none.
"""

CURRENT_ALERTS = """
            SELECT 
                adjustment_type,
                COUNT(*) as count,
                AVG(ai_confidence_score) as avg_confidence
            FROM assignment_adjustments aa
            JOIN daily_assignments da ON aa.original_assignment_id = da.assignment_id
            WHERE da.location_id = (SELECT location_id FROM locations WHERE location_name = %s)
            AND aa.adjustment_date >= CURDATE() - INTERVAL 7 DAY
            GROUP BY adjustment_type
        """

PRODUCTIVITY_TREND = """
            SELECT 
                record_date,
                AVG(productivity_score) as daily_productivity,
                COUNT(*) as record_count
            FROM productivity_records pr
            JOIN employees e ON pr.employee_id = e.employee_id
            WHERE e.location_id = (SELECT location_id FROM locations WHERE location_name = %s)
            AND pr.record_date >= CURDATE() - INTERVAL 30 DAY
            GROUP BY record_date
            ORDER BY record_date DESC
            LIMIT 7
        """

ATTENDANCE_PATTERN = """
            SELECT 
                DAYOFWEEK(attendance_date) as day_of_week,
                attendance_status,
                COUNT(*) as count
            FROM attendance_records ar
            JOIN employees e ON ar.employee_id = e.employee_id
            WHERE e.location_id = (SELECT location_id FROM locations WHERE location_name = %s)
            AND ar.attendance_date >= CURDATE() - INTERVAL 30 DAY
            GROUP BY DAYOFWEEK(attendance_date), attendance_status
        """

STAFF_QUERY = """
        SELECT 
            e.employee_id,
            e.skill_level,
            AVG(pr.productivity_score) as avg_productivity,
            COUNT(CASE WHEN ar.attendance_status = 'present' THEN 1 END) * 1.0 / COUNT(*) as attendance_rate
        FROM employees e
        LEFT JOIN productivity_records pr ON e.employee_id = pr.employee_id 
            AND pr.record_date >= CURDATE() - INTERVAL 30 DAY
        LEFT JOIN attendance_records ar ON e.employee_id = ar.employee_id 
            AND ar.attendance_date >= CURDATE() - INTERVAL 30 DAY
        WHERE e.location_id = (SELECT location_id FROM locations WHERE location_name = %s)
        AND e.is_active = 1
        GROUP BY e.employee_id, e.skill_level
    """

CONTEXT_QUERY = """
        SELECT context_value, relevance_score
        FROM rag_context 
        WHERE context_key LIKE %s
        ORDER BY relevance_score DESC, use_count DESC
        LIMIT 3
    """

SIMPLE_QUERY_ADJUSTMENTS_TODAY = """SELECT COUNT(*) as count FROM assignment_adjustments WHERE adjustment_date = CURDATE()"""

CREATE_PRODUCTIVITY_ANALYTICS = """CREATE TABLE productivity_analytics AS
SELECT 
    e.location_id,
    DATE(pr.record_date) as analysis_date,
    AVG(pr.productivity_score) as avg_productivity,
    COUNT(*) as sample_size,
    STDDEV(pr.productivity_score) as productivity_stddev
FROM productivity_records pr
JOIN employees e ON pr.employee_id = e.employee_id
GROUP BY e.location_id, DATE(pr.record_date);"""

# The seed's analyze_mysql_data() dict, in its order.
SITE_QUERIES = {"current_alerts": CURRENT_ALERTS, "productivity_trend": PRODUCTIVITY_TREND,
                "attendance_pattern": ATTENDANCE_PATTERN}
