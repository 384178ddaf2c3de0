"""Arabic wording of everything the engine reports in English or by code.

The engine's notices are English sentences; until it gives them codes (see the web issue's
closing note), each known sentence is matched here and rewritten in Arabic. An unknown notice is
shown as the engine wrote it rather than hidden.
"""

import re

from webapp.arabic import digits, month_name, number

FACET_LABELS = {
    "category": "التصنيف",
    "source": "المصدر",
    "author": "الكاتب",
    "tags": "الوسوم",
    "year": "السنة",
    "month": "الشهر",
}
FACETS_SHOWN = ("category", "source", "author", "year", "tags")  # month: reachable by URL only
SORT_LABELS = {"relevance": "الأكثر صلة", "newest": "الأحدث أولًا", "oldest": "الأقدم أولًا"}

HTTP_TITLES = {
    400: "طلب غير صالح",
    404: "الصفحة غير موجودة",
    405: "طريقة الطلب غير مسموحة",
    500: "خطأ في الخادم",
    503: "الخدمة غير متاحة مؤقتًا",
}
HTTP_MESSAGES = {
    404: "لم نجد هذه الصفحة. ربما تغيّر الرابط أو حُذف المقال من الفهرس.",
    405: "هذا العنوان لا يقبل هذا النوع من الطلبات.",
    500: "حدث خطأ غير متوقع من جهتنا. أعد المحاولة بعد قليل.",
    503: "الفهرس غير جاهز بعد. أعد المحاولة بعد قليل.",
}
INDEX_MISSING = "لم يُبنَ الفهرس بعد، أو بُني بإصدار آخر من فهرس. ابنه بالأمر: fahras index"
QUERY_REJECTED = "تعذّر تنفيذ البحث بهذه المعاملات."

_NOTICES = (
    (
        re.compile(r"query cut to its first (\d+) characters"),
        lambda m: f"اقتُطع الاستعلام إلى أول {number(int(m[1]))} حرف.",
    ),
    (
        re.compile(r"only the first (\d+) words were used"),
        lambda m: f"استُخدمت أول {number(int(m[1]))} كلمة فقط.",
    ),
    (
        re.compile(r"date:(.*) ignored: not a date.*"),
        lambda m: f"تجاهلنا «date:{m[1]}» لأنه ليس تاريخًا؛ جرّب date:2020 أو date:2019..2021",
    ),
)


def notice(text: str) -> str:
    """The Arabic wording of one engine notice."""
    for pattern, wording in _NOTICES:
        if match := pattern.fullmatch(text):
            return wording(match)
    return text


def facet_value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page (years and months in Arabic digits and names)."""
    if facet == "year":
        return digits(value)
    if facet == "month":
        return month_name(value)
    return value
