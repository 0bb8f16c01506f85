"""Site search that reads Chinese: calls, 公示 and results, news, funded projects and organizations.

Chinese is written without spaces, so a query is cut into words with jieba (``cut_for_search``
also yields the shorter words inside long ones: 花溪区 → 花溪, 花溪区), and each kind of record is
matched word by word with a substring match in the database (the same on SQLite and PostgreSQL,
and it finds a two-character word inside a name). Reference numbers and other Latin tokens are
kept whole. A record is a hit when it holds at least half of the query's words; hits are ranked
by the words they hold, a word in the title counting three times. Only public fields are read:
an organization's name and code, a funded project's title, summary and reference number.

A query of Latin letters only is also read as pinyin: an organization whose name's initials
(``name_initials``: 邻里帮助 → llbz) or full pinyin (linlibangzhu) hold it is a hit, ranked first.
"""

import html
import logging
import re
from dataclasses import dataclass, field

import jieba
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from applications.models import Application, Status

from . import selectors
from .models import CallPage, NewsPage, OrganizationDirectoryPage, PublicityPage, ResultsPage

jieba.setLogLevel(logging.WARNING)

CANDIDATES = 300  # per kind: the most a query reads before ranking
LATIN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_.]*")
PINYIN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
# Words too common to tell records apart (they still count when they are all a query holds).
STOP_WORDS = frozenset("的 了 和 与 及 或 在 是 为 对 把 被 等 之 其 年 个 中 上 下".split())
PUBLIC_PROJECTS = (Status.AWARDED, Status.CONTRACTED, Status.COMPLETED, Status.TERMINATED)

KINDS = [
    ("calls", _("Calls")),
    ("announcements", _("Public notices and results")),
    ("news", _("News")),
    ("projects", _("Funded projects")),
    ("organizations", _("Organizations")),
    ("pages", _("Other pages")),
]


def terms(query):
    """The words of ``query``: Latin tokens (reference numbers, codes) whole, Chinese cut by jieba."""
    words = []
    for chunk in (query or "").split():
        position = 0
        for match in LATIN.finditer(chunk):
            words += _chinese_words(chunk[position:match.start()])
            words.append(match.group().strip("-_."))
            position = match.end()
        words += _chinese_words(chunk[position:])
    seen, result = set(), []
    for word in words:
        if word and word.lower() not in seen:
            seen.add(word.lower())
            result.append(word)
    meaningful = [w for w in result if w not in STOP_WORDS and (len(w) > 1 or w.isascii())]
    return meaningful or result


def pinyin_query(query):
    """A query of Latin letters only (ylbz, YLBZ, linli, "lin li bang zhu") read as pinyin: its letters
    run together in lower case; "" for any other query, or one of fewer than two letters."""
    text = " ".join((query or "").split())
    if not PINYIN.fullmatch(text):
        return ""
    letters = text.replace(" ", "").lower()
    return letters if len(letters) >= 2 else ""


def _chinese_words(text):
    text = text.strip()
    if not text:
        return []
    return [w.strip() for w in jieba.cut_for_search(text) if w.strip() and not re.fullmatch(r"[\W_]+", w.strip())]


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    text: str = ""
    meta: str = ""
    score: int = 0
    words: list = field(default_factory=list)

    @property
    def title_html(self):
        return highlight(self.title, self.words)

    @property
    def snippet_html(self):
        return highlight(snippet(self.text, self.words), self.words)


def highlight(text, words):
    """``text`` escaped, with each of ``words`` found in it marked (longest first)."""
    escaped = html.escape(text or "")
    ordered = sorted({html.escape(w) for w in words if w}, key=len, reverse=True)
    if not ordered:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group()}</mark>", escaped))


def snippet(text, words, width=90):
    """About ``width`` characters of ``text`` around the first word found in it."""
    text = " ".join(strip_tags(text or "").split())
    if len(text) <= width:
        return text
    lowered = text.lower()
    starts = [lowered.find(w.lower()) for w in words if lowered.find(w.lower()) >= 0]
    start = max(0, min(starts) - width // 3) if starts else 0
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")


def _matching(queryset, words, fields, also=None):
    condition = also or Q()
    for word in words:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
    return queryset.filter(condition)[:CANDIDATES]


def _score(words, title, other):
    title_l, other_l = (title or "").lower(), (other or "").lower()
    held = [w for w in words if w.lower() in title_l or w.lower() in other_l]
    score = sum(3 if w.lower() in title_l else 1 for w in held)
    return len(held), score


def search(query):
    """Every hit of ``query``, ranked, as ``{kind: [Hit, ...]}`` (kinds with no hit are left out)."""
    words = terms(query)
    if not words:
        return {}
    needed = max(1, (len(words) + 1) // 2)
    hits = {}

    def keep(hit, title, other, whole=False):
        held, score = (len(words), 3 * len(words)) if whole else _score(words, title, other)
        if held >= needed:
            hit.score, hit.words = score, words
            hits.setdefault(hit.kind, []).append(hit)

    for model, kind in ((CallPage, "calls"), (PublicityPage, "announcements"), (ResultsPage, "announcements"),
                        (NewsPage, "news")):
        for page in _matching(model.objects.live(), words, ("title", "search_description", "intro")):
            text = page.intro or page.search_description
            keep(Hit(kind, page.title, page.url, text=text), page.title, f"{page.search_description} {strip_tags(page.intro)}")
    special = [CallPage, PublicityPage, ResultsPage, NewsPage]
    others = Page.objects.live().exclude(depth=1).not_type(*special)
    for page in _matching(others, words, ("title", "search_description")):
        keep(Hit("pages", page.title, page.url, text=page.search_description), page.title, page.search_description)

    projects = Application.objects.filter(status__in=PUBLIC_PROJECTS).select_related("organization", "competition")
    for app in _matching(projects, words, ("title", "summary", "reference", "organization__name")):
        keep(Hit("projects", app.title, reverse("project_disclosure", args=[app.reference]), text=app.summary,
                 meta=f"{app.reference} · {app.organization.name} · {app.competition.title}"),
             app.title, f"{app.summary} {app.reference} {app.organization.name}")

    pinyin = pinyin_query(query)
    listed = selectors.listed_organizations().select_related("community").annotate(
        pinyin_letters=Replace("name_pinyin", Value(" "), Value("")))
    by_pinyin = Q(name_initials__contains=pinyin) | Q(pinyin_letters__contains=pinyin) if pinyin else None
    directory = OrganizationDirectoryPage.objects.live().first()
    for org in _matching(listed, words, ("name", "credit_code"), also=by_pinyin):
        url = f"{directory.url}?initial={org.name_initial}" if directory is not None else ""
        keep(Hit("organizations", org.name, url, meta=f"{org.get_category_display()} · {org.community.name}"),
             org.name, org.credit_code or "", whole=bool(pinyin) and (pinyin in org.name_initials or pinyin in org.pinyin_letters))

    for kind_hits in hits.values():
        kind_hits.sort(key=lambda h: (-h.score, h.title))
    return {kind: hits[kind] for kind, _label in KINDS if kind in hits}
