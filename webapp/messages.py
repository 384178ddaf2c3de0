"""Arabic wording of everything the engine reports in English or by code.

The engine's notices carry a code and a detail; each known code is worded here in Arabic. An
unknown one is shown as the engine wrote it rather than hidden.
"""

from webapp.arabic import digits, month_name, number
from webapp.inert import without_bidi_controls

SORT_LABELS = {"relevance": "الأكثر صلة", "newest": "الأحدث أولًا", "oldest": "الأقدم أولًا"}

HTTP_TITLES = {
    400: "طلب غير صالح",
    401: "مفتاح API مطلوب",
    403: "غير مسموح",
    404: "الصفحة غير موجودة",
    405: "طريقة الطلب غير مسموحة",
    413: "الطلب أكبر من المسموح",
    414: "عنوان الطلب أطول من المسموح",
    429: "طلبات كثيرة",
    500: "خطأ في الخادم",
    503: "الخدمة غير متاحة مؤقتًا",
}
HTTP_MESSAGES = {
    404: "لم نجد هذه الصفحة. ربما تغيّر الرابط أو حُذف المقال من الفهرس.",
    405: "هذا العنوان لا يقبل هذا النوع من الطلبات.",
    413: "حجم الطلب أكبر مما يقبله الموقع؛ البحث لا يحتاج إلى إرسال بيانات.",
    414: "عنوان الطلب طويل جدًا؛ اختصر الاستعلام أو قلّل عوامل التصفية.",
    500: "حدث خطأ غير متوقع من جهتنا. أعد المحاولة بعد قليل.",
    503: "الفهرس غير جاهز بعد. أعد المحاولة بعد قليل.",
}
INDEX_MISSING = "لم يُبنَ الفهرس بعد، أو بُني بإصدار آخر من فهرس. ابنه بالأمر: fahras index"
QUERY_REJECTED = "تعذّر تنفيذ البحث بهذه المعاملات."
RATE_LIMITED = "أرسلت طلبات كثيرة في وقت قصير. انتظر قليلًا ثم أعد المحاولة."
UNTRUSTED_HOST = "هذا الموقع لا يُخدم بهذا العنوان. افتحه بعنوانه المعروف."
SEARCHES_BUSY = "الخادم مشغول بعمليات بحث أخرى. أعد المحاولة بعد ثانية."

_NOTICES = {
    "query_cut": lambda d: f"اقتُطع الاستعلام إلى أول {number(int(d))} حرف.",
    "words_cut": lambda d: f"استُخدمت أول {number(int(d))} كلمة فقط.",
    "date_ignored": lambda d: (
        f"تجاهلنا «date:{d}» لأنه ليس تاريخًا؛ جرّب date:2020 أو date:2019..2021"
    ),
    "prefix_capped": lambda d: (
        f"للبادئة «{d}*» كلمات كثيرة: بحثنا في أكثرها شيوعًا من أول ما وجدنا."
    ),
    "phrase_timeout": lambda d: "استغرق البحث عن العبارة وقتًا طويلًا: قد تنقص بعض النتائج.",
    "search_timeout": lambda d: "استغرق البحث وقتًا طويلًا: لم نستعمل آخر كلمات الاستعلام.",
    "facet_quotes": lambda d: f"لم نجد هذه القيمة؛ ضع القيمة التي فيها مسافة بين علامتي تنصيص: {d}",
    "phrase_capped": lambda d: (
        f"كلمات العبارة شائعة جدًا: بحثنا عنها في أول {number(int(d))} مقال يحويها فقط."
    ),
    "budget_spent": lambda d: (
        "استغرق البحث وقته كله: عرضنا النتائج دون إحصاءات التصفية أو المقتطفات."
    ),
    "typo_tolerated": lambda d: typo_sentence(*d.split(" ", 1)),
    "rebuild_needed": lambda d: (
        f"تغيّرت إعدادات الفهرس منذ بنائه ({d}): يلزم إعادة بنائه بالأمر "
        "fahras index --rebuild-from-index، وحتى ذلك يعمل البحث بالإعدادات القديمة."
    ),
}


def typo_sentence(typed: str, added: str = "") -> str:
    """A typed word searched with its neighbour too (search/typos.py), in Arabic."""
    return f"«{typed}» لا تكاد ترد في الفهرس، فعرضنا نتائج «{added}» أيضًا."


def notice(item: dict[str, str]) -> str:
    """The Arabic wording of one engine notice (by its code; the English text otherwise)."""
    wording = _NOTICES.get(item.get("code", ""))
    return wording(item.get("detail", "")) if wording else item.get("message", "")


def facet_value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page (years and months in Arabic digits and names; no
    bidi controls, which a value typed into a URL may carry)."""
    if facet == "year":
        return digits(value)
    if facet == "month":
        return month_name(value)
    return without_bidi_controls(value)


def unencoded_url(encoded: str) -> tuple[str, str]:
    """(Arabic message, English detail) for a request line with raw UTF-8 bytes."""
    message = (
        "في عنوان الطلب حروف غير مرمّزة، والعناوين تُرسل مرمّزة (percent-encoding)."
        f' استخدم هذا العنوان: {encoded} — وفي curl أضف -G --data-urlencode "q=…".'
    )
    detail = (
        "request line holds raw non-ASCII bytes: percent-encode them,"
        f" e.g. {encoded} or curl -G --data-urlencode 'q=...' URL"
    )
    return message, detail
