"""Words managers use for metrics, filters, grouping and ranking, as general patterns over normalised text.

Metric patterns are tried in order (the first match wins), so the more specific reading comes first:
アラート before 残業 (「残業のアラート」 counts alerts), 欠勤率 before 欠勤, できる人 before 人数.
"""
from __future__ import annotations

import re

# (metric, pattern); the first that matches names the metric.
METRIC_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((m, re.compile(p)) for m, p in (
    ("alert_count", r"アラート|警告|(?<![a-z])alert"),
    ("qualified_headcount", r"(?:でき|こなせ|任せられ|対応でき|担当でき|入れ)る(?:人|者|スタッフ|従業員|社員)|有資格|資格者|"
                            r"資格(?:を|が)?(?:持って|持つ|ある)"),
    ("skill_level", r"スキル(?:レベル)?(?:が|の)?(?:一番|最も|もっとも)?(?:高|低|上)|熟練度"),
    ("absence_rate", r"欠勤率|休み率|欠勤の?割合|休んだ割合"),
    ("attendance_rate", r"出勤率|出勤の?割合|出社率"),
    ("forecast_staff_hours", r"必要(?:な)?人時|必要工数|人時"),
    ("forecast_units", r"業務量|物量|作業量|取扱量|荷量|入荷量|出荷量|需要|予測"),
    ("units_processed", r"処理(?:数|件数|量|した数)|こなした(?:数|件数|量)|件数をこなし"),
    ("productivity", r"生産性|効率|能率|パフォーマンス|productivity"),
    ("overtime_hours", r"残業|時間外|overtime"),
    ("late_count", r"遅刻|遅れて(?:来|き|出勤|出社)"),
    ("early_leave_count", r"早退|早(?:く|め)に?帰っ|早帰り"),
    ("paid_leave_days", r"有給|有休"),
    ("scheduled_people", r"出勤予定|出勤する(?:予定の)?(?:人|の)|シフトに入って|出る予定|出勤の予定"),
    ("off_people", r"休み(?:の|な)?(?:人|予定|者)|休む(?:人|予定)|休暇の人|お休み"),
    ("absence_count", r"欠勤|休んだ|休んで(?:いる|る)|休み|(?:来|こ)なかった|来て(?:い)?ない|出勤しなかった|出社しなかった"),
    ("attended_count", r"出勤者|出勤した|出勤人数|出社した|出勤数|出勤して(?:いる|る)|出社して(?:いる|る)|出勤中|来て(?:いる|る)(?:人|の)"),
    ("assigned_people", r"配置|割り?振|割りふ|わりふ|アサイン|入って(?:いる|る)|入る(?:人|の)|担当して|割り?当て|シフトに入る"),
    ("duty", r"担当"),   # 「検品担当」: assigned on a named day, else the people who can do it (parse decides)
    ("headcount", r"人数|何人|何名|人員数|社員数|従業員数|スタッフ数|メンバー数|要員数|在籍|スキル(?:レベル)?[1-5]|入社|(?:新人|ベテラン|派遣|パート|正社員|アルバイト)"),
))

# The metric vocabulary of a typed question (the analytics whitelist has the same keys: a test holds them equal);
# 「担当」 is only a reading cue that parse resolves to one of these.
METRICS: tuple[str, ...] = tuple(m for m, _ in METRIC_PATTERNS if m != "duty")

# A consultation, not a question: planning, what-ifs, causes, know-how. These keep the existing flows.
CONSULTATION = re.compile(r"最適|組んで|組み直|作って|作成|提案|改善|対策|減らす|減らし|削減|シミュレーション|試算|"
                          r"(?:[たで]|だ)[らば](?![ん])|場合|もし|仮に|ノウハウ|事例|コツ|分析|傾向|原因|なぜ|理由|推移|"
                          r"どうすれば|どうしたら|アドバイス|トレンド|パターン")
QUESTION_SHAPE = re.compile(r"[?？]|誰|だれ|何|なん(?:人|件|名)|どこ|どの|いくつ|どれ|比べ|比較|教えて|見せて|知りたい|"
                            r"一覧|ランキング|上位|下位|トップ|一番|最も|(?:は|って)$|です?か$|ある$|いる$|"
                            r"(?:予測|数|率|時間|合計|平均|人数|件数|状況|性|量|人|者|拠点|工程|一覧|ランキング|別)$|いちばん")

EMPLOYMENT = (("temp", re.compile(r"派遣")), ("part_time", re.compile(r"パート|アルバイト|バイト")),
              ("full_time", re.compile(r"正社員")))
NEW_STAFF = re.compile(r"新人|新入社員|新しく入った|入社(?:した)?ばかり|入ったばかり")
TENURE = re.compile(r"入社(?P<n>\d+|半)(?P<unit>年|か月|ヶ月|カ月)(?:以内|未満)")
VETERAN = re.compile(r"ベテラン|熟練者")
SKILL_RANGE = re.compile(r"スキル(?:レベル)?(?P<n>[1-5])(?:(?P<ge>以上)|(?P<le>以下))?")

ALERT_TYPES = (("staffing_shortage", re.compile(r"人員不足|人手不足|要員不足|人が足りない")),
               ("overtime_over_limit", re.compile(r"残業")),
               ("productivity_drop", re.compile(r"生産性")),
               ("absence_spike", re.compile(r"欠勤")))
SEVERITY = (("critical", re.compile(r"緊急|クリティカル|critical|重大")),
            ("high", re.compile(r"重要度(?:が|の|は)?[「『]?高|高重要度|重要度の高い|high")),
            ("medium", re.compile(r"重要度(?:が|の|は)?[「『]?中|medium")),
            ("low", re.compile(r"重要度(?:が|の|は)?[「『]?低|low")))
STATUS = (("resolved", re.compile(r"解決済|解決した|クローズ")), ("acknowledged", re.compile(r"確認済")),
          ("open", re.compile(r"未解決|未対応|オープン|open|対応中|残って")))

GROUP_SITE = re.compile(r"どこ|どの拠点|どっち|どちら|拠点(?:ごと|別|毎)|各拠点|拠点の中で|(?<!全)拠点(?:は|を|が)")
GROUP_PROCESS = re.compile(r"どの工程|工程(?:ごと|別|毎|は|が)|各工程")
GROUP_EMPLOYEE = re.compile(r"(?:人|者|スタッフ|従業員|社員)$|誰|だれ|(?:人|者|スタッフ|従業員|社員)(?:は|を|の名前|の一覧)|名前|メンバー|上位\d+人|トップ\d+")
GROUP_TIME = (("weekday", re.compile(r"曜日(?:ごと|別|毎)|何曜|どの曜日")), ("day", re.compile(r"日(?:ごと|別|毎)|毎日の")),
              ("week", re.compile(r"週(?:ごと|別|毎)")), ("month", re.compile(r"月(?:ごと|別|毎)")))
DESC = re.compile(r"いちばん|一番|最も|もっとも|多い|多かった|高い|高かった|トップ|上位|ランキング|最多|最高|長い|ベスト|多く")
ASC = re.compile(r"少ない|少なかった|低い|低かった|下位|最低|最少|短い")
# 「ワースト」「悪い」: the bad end, which is the top of absence/overtime/alerts and the bottom of productivity.
WORST = re.compile(r"ワースト|最悪|悪い|悪かった")
HIGH_IS_BAD = frozenset({"absence_count", "absence_rate", "late_count", "early_leave_count", "overtime_hours",
                         "off_people", "alert_count", "paid_leave_days"})
RANKING = re.compile(r"ランキング|順位|順に|並べ")
STAFF_WORDS = re.compile(r"在籍|社員|従業員|スタッフ|新人|派遣|パート|正社員|ベテラン|アルバイト")
TOP_N = re.compile(r"(?:上位|下位|トップ|top ?|ベスト|ワースト)(?P<n>\d{1,2})|(?P<m>\d{1,2}) ?(?:人|名|拠点|位)(?:まで|を|は|教えて|挙げて)?")
COMPARE = re.compile(r"比べ|比較|違い|差")
AVERAGE = re.compile(r"平均")
TIME_BLOCK = (("morning", re.compile(r"午前")), ("afternoon", re.compile(r"午後")))
# 「田中さん」「佐々木 さくらさん」「田中太郎さん」; the data decides who it is (analytics resolves it).
PERSON = re.compile(r"(?:(?P<family>[一-龯々]{1,4}) )?(?P<given>[一-龯々]{1,4}|[ぁ-ん]{2,4})(?:さん|くん|君|氏)")
NOT_A_NAME = {"皆", "みな", "みんな", "お客", "派遣", "パート", "新人", "担当"}
WEEKDAY = re.compile(r"(?<!来週)(?<!今週)(?<!先週)(?<!毎週)(?P<wd>[月火水木金土日])曜日?(?:に|は|の|で)")
# Questions the data cannot answer (no ages, pay, turnover; shares other than the defined rates): the answer
# says so instead of answering a nearby metric.
OUT_OF_MODEL = re.compile(r"(?<!欠勤の)(?<!出勤の)割合|比率|構成比|シェア|年齢|若い|年上|年下|何歳|給料|給与|時給|人件費|"
                          r"コスト|離職|退職|辞め|誕生日|住所|電話|通勤")
OUT_OF_MODEL_METRIC = "out_of_model"
# Asking for one figure (「…は何件？」): without a grouping word, 多い/高い there qualify, they do not rank.
COUNT_ASK = re.compile(r"何件|何人|何名|いくつ|何時間|何回|何日|合計|何%|何パーセント")
SEVERITY_WORDS = re.compile(r"重要度(?:が|の|は)?[「『]?(?:高|中|低)い?|緊急度(?:が|の)?高い?")
# Without a site named, 「全部で」「全体で」 mean the whole company.
WHOLE = re.compile(r"全部で|全体で|合わせて|トータル|全員で|会社全体")
