"""Archive pages of the other five types → :class:`Document` records.

``solution``, ``learningplan`` and ``experiment`` pages are platform forms: ``> prompt`` lines are
the template's questions and the lines after them the lab's answers. ``blog`` and
``publications`` pages are web pages (or PDF texts) scraped from undp.org, with the site's
navigation, teasers and footer around the article. :func:`parse_page` turns either kind into
sections of the page's own text, with the metadata cleaned into filter values, and nothing
personal kept (no focal point, no consent link, no e-mail address anywhere).

Rules, measured on the archive's 9,312 pages of these types (see ``tests/test_pages.py``):

Form pages (solution, learningplan, experiment)
    * a ``> prompt`` is the heading (context) of the answer under it, prefixed with the
      ``## group`` it sits in ("Design: What is your hypothesis? IF... THEN...."); a prompt with
      no answer disappears; an empty ``>`` line keeps the answer with the prompt before it;
    * a whole-line ``**bold**`` right under a non-empty ``## group`` heading of a learning plan or
      experiment is the template's lead ("**This section is to explain the basics of the
      activity**", also in French and Spanish) and is dropped; every other bold line is an
      answer (solutions put real answers under an empty ``##``);
    * a quoted line that carries an answer (``>> text``, or a sentence of 8+ words without "?"
      or a "Label:" prefix right under an unanswered question) stays text;
    * an answer that only repeats the page's title is dropped (solutions answer "Title of the
      innovation" with it, learning plans "Please provide a name…", experiments "Name of the
      experimental activity"); when the file's title is a cut copy of that answer, the answer
      becomes the title;
    * a "Please note: …" line right under a question continues the question;
    * answers to a private person's contact details or age ("Age", "E-mail", "Mobile Number",
      "Contact person", "What is the address and preferred way to contact…") and the platform's
      note on 2,159 solutions ("Thematic area tags generated using: … KeyBERT …") are dropped;
    * ``<div class="group">`` wrappers and other tags, images ``![…](…)``, empty bullets and
      ``****`` go; markdown links keep their text; bullet items keep their text.

Web pages (blog, publications)
    * the article starts after the breadcrumb: the line "HOME" (or Home, Inicio, Accueil,
      Início, Anasayfa, الرئيسية) near the top, then the office line, an optional section label
      (BLOG, PUBLICATIONS, …) and the title line; a repeated title line and the date line after it
      are dropped (a subtitle glued to the repeated title is kept);
    * with a "Skip to main content" line but no breadcrumb, after the header's menu lines;
    * Medium pages start after "…·Follow N min read·<date>--ListenShare";
    * the article ends at the first teaser of another page (a label such as BLOG, NEWS,
      PUBLICATIONS, ACTUALITÉS with a READ MORE / LEER MÁS / LIRE LA SUITE / اقرأ أكثر under it),
      at "Related Publications", a publication's facets (DOCUMENT TYPE, REGIONS AND COUNTRIES,
      TOPICS), the footer (the two lines "United Nations / Development Programme" in any of the
      site's languages, WHO WE ARE / QUIÉNES SOMOS / NOUS CONNAÎTRE / QUEM SOMOS / من نحن with
      more menu after it, or the English "Report Fraud, Abuse, Misconduct" links every office's
      footer has, back over the short menu lines above them), "© 2023 United Nations…", or a
      Medium "A response icon" list, whichever comes first; everything after it is dropped. A
      PDF's text (a page without any site navigation) is never cut: a "READ MORE" or "WHO WE
      ARE" there belongs to the report;
    * scraped junk lines (“--- content ---”, "Original article published here", "file.jpg",
      "Anonymous (not verified)", "DOWNLOAD", "(link is external)", lone "Author" labels,
      Medium's "Press enter or click to view image in full size") are dropped wherever they are;
    * a page whose title is only navigation ("Skip to main content", "Aller au contenu
      principal", "Pasar al contenido principal", "Home", …) takes the breadcrumb's title
      line; an all-capitals title gets each word's usual case from the article's own text
      ("TOWARDS SMART CITIES: NOTES FROM BAKU’S UNDERGROUND" → "Towards smart cities: notes from
      Baku’s underground"); a Medium title is cut before its publisher and "Follow";
    * a web page's line is a paragraph (a line not ending a sentence joins a next line in lower
      case); a PDF's paragraph is a block between blank lines, its hard-wrapped lines joined
      ("develop-" + "ment" → "development");
    * the body is cut into sections of whole paragraphs: at a heading-like line of a web page
      (at most 12 words, no final full stop, not a photo credit or byline) once the current
      section has 60 words, else after about 150–250 words; a paragraph longer than 300 words is
      split between sentences; a PDF's short lines are never headings. Nothing else is dropped,
      so a 126k-word report becomes 551 sections.

Metadata
    * ``countries``: each ``[[country:]]`` once, "Null Island" (the 0,0 placeholder) dropped, and
      spelt as the archive's own ``country_lookup.json`` names it ("United States" → "United
      States of America", "Timor Leste" → "Timor-Leste"), except where that table would turn a
      country into one of its parts ("Trinidad and Tobago" stays, not "Tobago"; "Bosnia and
      Herzegovina" stays); names it lacks are kept as written (with a warning);
    * ``continents``: the page's ``[[continent:]]``, else each country's from the lookup;
    * ``year``: ``[[year:]]``, else the first year in ``[[date:]]``; None unless 2000…next year;
    * ``metadata["sdgs"]``: "N. Official short name" for SDG 1–17 from a number, a name or a
      misspelling ("10. Reduced innequalities" → "10. Reduced inequalities");
    * ``metadata["methods"]``: the platform's method names (case, "solution mapping" →
      "Solutions Mapping", "Data Ethography" → "Data Ethnography"); other values capitalised;
    * also kept, de-duplicated and whitespace-clean: ``thematic_areas`` and ``datasources``
      (lower-cased: 2,000 free-text values in mixed case), and the experiment's enumerated
      ``experiment_status``, ``experiment_type`` (case unified), ``control_group``,
      ``assignment_type``, ``partnering_sector``, ``scaling``, ``sample_size``, ``total_cost``,
      ``quality_check``;
    * never kept: ``focal_point`` (an e-mail), ``consent`` (a link to a person's consent form,
      also removed wherever the same URL appears in the text), ``gender`` (of a named
      innovator), ``latlng`` (where a person works or lives); blog ``date`` only gives the year.
    * every e-mail address is removed from every string of the document (with an "E-mail:"
      label right before it).

``language`` is detected offline with py3langid (langid.py's model, bundled, numpy only) on
2,000 characters of the page's own text (answers, not the English template prompts; URLs out;
for a long text from its start, middle and end; lower-cased when mostly capitals). A text under
400 characters keeps en/es/fr/pt unless another language is far more likely (short English is
otherwise often "pcm"); too few letters give "" (42 solutions that are a title and a link).

Errors: :class:`ParseError` for another page type, or for a page with no text once cleaned (167
of 9,312: 161 solutions and 1 learning plan with only a title, image or link, 4 web pages whose
article is empty, 1 empty experiment form).
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections import Counter
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .parse import ParseError
from .records import Document, Paragraph, Section
from .text import fold, is_web_url, split_sentences, unescape

#: The page types this module parses.
PAGE_TYPES: tuple[str, ...] = ("solution", "learningplan", "experiment", "blog", "publications")
FORM_TYPES: tuple[str, ...] = ("solution", "learningplan", "experiment")
WEB_TYPES: tuple[str, ...] = ("blog", "publications")

#: Section size for web pages, in words.
MIN_HEADING_WORDS = 60
TARGET_WORDS = 150
MAX_WORDS = 250
LONG_PARAGRAPH_WORDS = 300
#: Characters of the page's own text the language is detected on.
LANGUAGE_SAMPLE = 2000
#: The archive's main languages (English about 85 % of its words, Spanish 8 %, French 4 %).
MAIN_LANGUAGES = frozenset({"en", "es", "fr", "pt"})
#: Below this many characters a text is "short" (see detect_language), and the log-probability
#: margin another language needs there to beat the main ones.
SHORT_SAMPLE = 400
SHORT_MARGIN = 20.0
#: Fewer letters than this (URLs left out) say nothing about a language.
MIN_LANGUAGE_LETTERS = 12
_URL = re.compile(r"(?:https?:/*|www\.)\S+|\S+\.(?:pdf|docx?|xlsx?|pptx?|jpe?g|png)\b", re.I)

# --------------------------------------------------------------------------- privacy

#: An e-mail address: what the no-e-mail guarantee is tested with.
EMAIL = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: An e-mail with its label ("Email: x@y.org", "E-mail:x@y") — also a truncated address after a label.
_LABELLED_EMAIL = re.compile(
    r"(?i)\b(?:e-?mail(?:\s+address)?|correo(?:\s+electr[oó]nico)?|courriel|mail)\s*[:：]?\s*[\w.+'%-]+@\S*"
)


def remove_emails(text: str) -> str:
    """Every e-mail address out of ``text`` (a label right before it too), spaces tidied."""
    if "@" not in text:
        return text
    text = _LABELLED_EMAIL.sub(" ", text)
    text = EMAIL.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _url_core(url: str) -> str:
    """``https://www.x.org/a/`` → ``x.org/a``: what any spelling of a URL shares."""
    core = re.sub(r"^\s*(?:https?:/*)?(?:www\.)?", "", url.strip(), flags=re.I)
    return core.rstrip("/ ").strip()


def _consent_pattern(values: list[str]) -> re.Pattern | None:
    cores = sorted({c for c in (_url_core(v) for v in values) if len(c) >= 6}, key=len, reverse=True)
    if not cores:
        return None
    return re.compile(r"(?:https?:/*)?(?:www\.)?(?:" + "|".join(re.escape(c) for c in cores) + r")/?", re.I)


# --------------------------------------------------------------------------- lookups


@lru_cache(maxsize=1)
def country_lookup() -> dict[str, dict]:
    """Lower-cased name or alternative name → ``{"name", "iso3", "continents"}`` from the archive's
    own ``country_lookup.json`` (bundled in ``labstories.index``'s data)."""
    raw = resources.files("labstories.index").joinpath("data/country_lookup.json").read_text("utf-8")
    table: dict[str, dict] = {}
    for entry in json.loads(raw):
        for name in (entry["name"], *entry.get("alt_names", ())):
            found = table.setdefault(name.lower(), {"name": entry["name"], "iso3": entry["iso3"], "continents": []})
            if entry["continent"] and entry["continent"] not in found["continents"]:
                found["continents"].append(entry["continent"])
    return table


#: Placeholders that are no country ("Null Island" is the 0,0 of an unset map pin).
NO_COUNTRY = frozenset({"null island", "undefined country", ""})
#: Page spellings the lookup lacks, or maps onto a part of the country (its "Trinidad and Tobago"
#: is an alternative name of "Tobago"): name → (name, continent).
_COUNTRY_FIXES: dict[str, tuple[str, str]] = {
    "trinidad and tobago": ("Trinidad and Tobago", "North America"),
    "bosnia and herzegovina": ("Bosnia and Herzegovina", "Europe"),
    "republika srpska": ("Republika Srpska", "Europe"),
    "flemish brabant": ("Flemish Brabant", "Europe"),
    "walloon brabant": ("Walloon Brabant", "Europe"),
    "people's republic of china": ("China", "Asia"),
    "guinea bissau": ("Guinea-Bissau", "Africa"),
    "british virgin islands": ("British Virgin Islands", "North America"),
    "solomon islands": ("Solomon Islands", "Oceania"),
}


def normalise_country(value: str) -> str | None:
    """The archive's own name for a ``[[country:]]`` value; None for a placeholder."""
    value = " ".join(html.unescape(value).replace("’", "'").split())
    low = value.lower()
    if low in NO_COUNTRY:
        return None
    if low in _COUNTRY_FIXES:
        return _COUNTRY_FIXES[low][0]
    found = country_lookup().get(low)
    return found["name"] if found else value


def country_continents(name: str) -> list[str]:
    """The continents of a country name (two for Russia); [] when unknown or "Global"."""
    low = name.lower()
    if low in _COUNTRY_FIXES:
        return [_COUNTRY_FIXES[low][1]]
    found = country_lookup().get(low)
    return [c for c in found["continents"] if c != "Global"] if found else []


#: The 17 goals' official short names.
SDG_NAMES: tuple[str, ...] = (
    "No poverty",
    "Zero hunger",
    "Good health and well-being",
    "Quality education",
    "Gender equality",
    "Clean water and sanitation",
    "Affordable and clean energy",
    "Decent work and economic growth",
    "Industry, innovation and infrastructure",
    "Reduced inequalities",
    "Sustainable cities and communities",
    "Responsible consumption and production",
    "Climate action",
    "Life below water",
    "Life on land",
    "Peace, justice and strong institutions",
    "Partnerships for the goals",
)
#: "10. Reduced inequalities", … — the canonical ``metadata["sdgs"]`` values.
SDGS: tuple[str, ...] = tuple(f"{n}. {name}" for n, name in enumerate(SDG_NAMES, start=1))


def _name_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", fold(text).lower().replace("&", " and ")))


_SDG_BY_KEY = {_name_key(name): canonical for name, canonical in zip(SDG_NAMES, SDGS)}


def canonical_sdg(value: str) -> str | None:
    """``"10. Reduced innequalities"``, ``"SDG 10"``, ``"Goal 10"``, ``"reduced inequality"`` →
    ``"10. Reduced inequalities"``; None when no goal is recognised."""
    value = html.unescape(value).strip()
    number = re.match(r"^\s*(?:sdg|goal|objetivo|objectif|odd|ods)?\s*[#:.-]?\s*(\d{1,2})(?!\d)", value, re.I)
    if number and 1 <= int(number.group(1)) <= 17:
        return SDGS[int(number.group(1)) - 1]
    key = _name_key(value)
    if not key:
        return None
    if key in _SDG_BY_KEY:
        return _SDG_BY_KEY[key]
    close = difflib.get_close_matches(key, list(_SDG_BY_KEY), n=1, cutoff=0.8)
    return _SDG_BY_KEY[close[0]] if close else None


#: The platform's method names; values are matched to them case-insensitively.
METHODS: tuple[str, ...] = (
    "(Community) Asset Mapping",
    "Anticipatory Regulation",
    "Artificial Intelligence/Machine Learning",
    "Behavioral Insights",
    "Citizen Science",
    "Co-creation",
    "Collective Intelligence",
    "Crowdfunding",
    "Crowdsourcing",
    "Data Ethnography",
    "Data Visualisation",
    "Design Sprints",
    "Design Thinking",
    "Ethnography",
    "Foresight",
    "Future Analysis",
    "Gamification",
    "Hackathons",
    "Horizon Scanning",
    "Human Centered Design",
    "Micro Narratives",
    "Minimal Viable Product (MVP)",
    "Participatory Design",
    "Pilots",
    "Positive Deviance",
    "Proof of concept",
    "Prototyping",
    "Randomized Controlled Trials",
    "Regulatory Sandboxes",
    "Reverse Engineering",
    "Sensemaking",
    "Smart Cities",
    "Social Media Analysis",
    "Social Network Analysis",
    "Solutions Mapping",
    "System Thinking",
    "Visual Thinking & Mapping",
)
_METHOD_BY_KEY = {m.lower(): m for m in METHODS} | {
    "solution mapping": "Solutions Mapping",
    "data ethography": "Data Ethnography",
    "systems thinking": "System Thinking",
}


def canonical_method(value: str) -> str:
    value = " ".join(html.unescape(value).split()).strip(" .;,")
    found = _METHOD_BY_KEY.get(value.lower())
    if found:
        return found
    return value[:1].upper() + value[1:] if value else value


_EXPERIMENT_TYPES = {
    "quasi experimental (analytical, observations, etc)": "Quasi Experimental (Analytical, observations, etc)",
    "pre experimental (trial and error, prototype, a/b testing)": "Pre Experimental (trial and error, prototype, a/b testing)",
    "fully randomised (rcts, etc.)": "Fully Randomised (RCTs, etc.)",
    "experimental (rcts, etc.)": "Experimental (RCTs, etc.)",
}
#: Metadata kinds kept as they are written (clean, enumerated platform values).
ENUM_KINDS: tuple[str, ...] = (
    "experiment_status",
    "experiment_type",
    "control_group",
    "assignment_type",
    "partnering_sector",
    "scaling",
    "sample_size",
    "total_cost",
    "quality_check",
)
#: Free-text metadata kinds, lower-cased.
FREE_KINDS: tuple[str, ...] = ("thematic_areas", "datasources")
#: Markers never kept anywhere (personal data, or a location of a person).
PRIVATE_KINDS: tuple[str, ...] = ("focal_point", "consent", "gender", "latlng")

# --------------------------------------------------------------------------- language

_identifier = None


def detect_language(text: str) -> str:
    """An ISO 639-1 code ("en", "es", "fr", …) for ``text``, from py3langid's bundled model
    (offline; about a millisecond for 2,000 characters); "" when there is nothing to read."""
    global _identifier
    sample = _URL.sub(" ", text[: LANGUAGE_SAMPLE * 3])
    sample = " ".join(sample.split())[:LANGUAGE_SAMPLE]
    if len(re.findall(r"[^\W\d_]", sample)) < MIN_LANGUAGE_LETTERS:
        return ""
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    letters = re.findall(r"[^\W\d_]", sample)
    if sum(c.isupper() for c in letters) > len(letters) / 2:
        sample = sample.lower()  # ALL-CAPS ANSWERS read as noise otherwise
    if len(sample) >= SHORT_SAMPLE:
        language = str(_identifier.classify(sample)[0])
    else:
        # A short text (a one-line answer) is often taken for a neighbour of its language
        # ("pcm" for English): the archive's main languages win unless another is far ahead.
        ranked = _identifier.rank(sample)
        best, best_score = ranked[0]
        major = next(((lang, score) for lang, score in ranked if lang in MAIN_LANGUAGES), (best, best_score))
        language = str(major[0] if best_score - major[1] < SHORT_MARGIN else best)
    return "" if language == "zxx" else language  # zxx: "no linguistic content"


# --------------------------------------------------------------------------- shared cleaning

_MARKER = re.compile(r"^\s*\\?\[\\?\[([a-z_]+):(.*?)\\?\]\\?\]\s*$")
_MARKER_START = re.compile(r"^\s*\\?\[\\?\[([a-z_]+):")
_KNOWN_KEYS = frozenset(
    (
        *PRIVATE_KINDS,
        *ENUM_KINDS,
        *FREE_KINDS,
        "type",
        "year",
        "date",
        "country",
        "continent",
        "sdgs",
        "methods",
        "source",
        "principles",
        "tactics",
        "tools",
        "skills",
        "ai_summary",
        "audio",
    )
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_BULLET = re.compile(r"^\s*(?:[-*+•●▪◦·–]|\\-)(?:\s+|$)")
_TERMINAL = re.compile(r"[.!?…:;\"”’»)\]]$")


def _unescape_html(text: str) -> str:
    for _ in range(20):  # "&amp;amp;amp;lt;" was escaped many times over
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


def clean_inline(text: str) -> str:
    """One line of page text as plain text: entities, tags, images, link syntax, bold and
    markdown escapes out; whitespace collapsed."""
    text = _unescape_html(text).replace("\\n", " ")
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "](" in text:
        text = _IMAGE.sub(" ", text)
        text = _LINK.sub(lambda m: m.group(1).strip() or m.group(2), text)
    text = text.replace("**", "").replace("(link is external)", " ").replace("--- content ---", " ")
    if "\\" in text:
        text = unescape(text)
    return " ".join(text.split())


def _has_words(text: str) -> bool:
    return re.search(r"\w", text) is not None


def _same_text(a: str, b: str) -> bool:
    return _name_key(a) == _name_key(b) and bool(_name_key(a))


def read_markers(lines: list[str]) -> tuple[dict[str, list[str]], list[bool]]:
    """All ``[[key:value]]`` marker lines (values in order) and which lines belong to markers.

    A marker broken over lines (a stray carriage return inside it, read as a line break) is
    joined up to its ``]]``, three lines at most and never past another marker or heading."""
    meta: dict[str, list[str]] = {}
    is_marker = [False] * len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if "[[" not in line and "\\[" not in line:
            i += 1
            continue
        span = 1
        start = _MARKER_START.match(line)
        if start and start.group(1) in _KNOWN_KEYS and "]]" not in line:
            for k in range(i + 1, min(len(lines), i + 4)):
                if lines[k].lstrip().startswith(("[[", "#", ">", "\\[")):
                    break
                if "]]" in lines[k]:
                    line = " ".join(part.strip() for part in lines[i : k + 1])
                    span = k + 1 - i
                    break
        found = _MARKER.match(line)
        if found and found.group(1) in _KNOWN_KEYS:
            meta.setdefault(found.group(1), []).append(" ".join(found.group(2).split()))
            for k in range(i, i + span):
                is_marker[k] = True
            i += span
        else:
            i += 1
    return meta, is_marker


def page_kind(text: str) -> str | None:
    found = re.search(r"^\s*\\?\[\\?\[type:\s*([A-Za-z_]+)\s*\\?\]\\?\]", text, flags=re.M)
    return found.group(1).lower() if found else None


def _year(meta: dict[str, list[str]]) -> int | None:
    latest = date.today().year + 1
    for key in ("year", "date"):
        for value in meta.get(key, ()):
            for found in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", value):
                if 2000 <= int(found) <= latest:
                    return int(found)
    return None


def _dedupe(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _trim(value: str) -> str:
    """A value without the punctuation or mojibake ("¬†") around it."""
    return re.sub(r"^[^\w(“\"]+|[^\w)”\"%+]+$", "", value)


def _metadata(meta: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    sdgs = _dedupe(canonical_sdg(v) for v in meta.get("sdgs", ()))
    if sdgs:
        out["sdgs"] = sorted(sdgs, key=SDGS.index)
    methods = _dedupe(canonical_method(v) for v in meta.get("methods", ()))
    if methods:
        out["methods"] = methods
    for kind in FREE_KINDS:
        values = _dedupe(_trim(" ".join(clean_inline(v).lower().split())) for v in meta.get(kind, ()))
        if values:
            out[kind] = values
    for kind in ENUM_KINDS:
        values = [" ".join(clean_inline(v).split()) for v in meta.get(kind, ())]
        if kind == "experiment_type":
            values = [_EXPERIMENT_TYPES.get(v.lower(), v) for v in values]
        values = _dedupe(values)
        if values:
            out[kind] = values
    return out


def _places(meta: dict[str, list[str]], warnings: list[str]) -> tuple[list[str], list[str]]:
    countries = _dedupe(normalise_country(v) for v in meta.get("country", ()))
    for name in countries:
        if name.lower() not in country_lookup() and name.lower() not in {k for k in _COUNTRY_FIXES}:
            warnings.append(f"country {name!r} is not in country_lookup.json; kept as written")
    continents = _dedupe(" ".join(v.split()) for v in meta.get("continent", ()))
    if not continents:
        continents = _dedupe(c for name in countries for c in country_continents(name))
    return countries, continents


def _title_block(lines: list[str], is_marker: list[bool]) -> tuple[int, list[str]]:
    """Index of the ``# `` title line and the lines that continue it (up to a blank line or marker)."""
    for i, line in enumerate(lines):
        if line.startswith("# ") or line.rstrip() == "#":
            block = [line]
            for k in range(i + 1, len(lines)):
                if not lines[k].strip() or is_marker[k]:
                    break
                block.append(lines[k])
            return i, block
        if line.strip() and not is_marker[i]:
            break
    return -1, []


def _clean_title(line: str) -> str:
    title = re.sub(r"^#+\s*", "", line.strip())
    title = re.sub(r"^#+\s*", "", title)
    title = clean_inline(title)
    return title.strip().strip('"“”').strip()


# --------------------------------------------------------------------------- form pages

_TEMPLATE_OPENERS = re.compile(
    r"^(please|por favor|veuillez|merci|end of|the closing form|thank you|gracias|if applicable|si aplica)\b", re.I
)
_LABEL_PREFIX = re.compile(r"^[^\s:]+(?:\s+[^\s:]+){0,4}\s*:")


#: Platform notes every page of a kind carries as an "answer" (2,159 solutions end with the first).
_BOILERPLATE = re.compile(r"^(?:Thematic area tags generated using:|Las etiquetas de área temática)", re.I)
#: A line continuing the question above it, not answering it.
_PROMPT_NOTE = re.compile(r"^(?:please note|note|nota|remarque|n\.b\.)\s*:", re.I)


class _Form:
    """Collects (group, prompt, paragraphs) parts of a form page in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str, list[str]]] = []
        self.group = ""
        self.prompt = ""
        self.answers: list[str] = []
        self.block: list[str] = []
        self.quoted_answers = False

    def flush_block(self) -> None:
        if not self.block:
            return
        items = [b for b in self.block if _has_words(b)]
        self.block = []
        if items:
            self.answers.append(" ".join(items))

    def close(self) -> None:
        self.flush_block()
        if self.answers:
            self.parts.append((self.group, self.prompt, self.answers))
        self.answers = []

    def heading(self, text: str) -> None:
        self.close()
        self.group, self.prompt, self.quoted_answers = text, "", False

    def ask(self, text: str) -> None:
        self.close()
        self.prompt, self.quoted_answers = text, False

    def line(self, text: str) -> None:
        if text:
            self.block.append(text)

    def unanswered(self) -> bool:
        return not self.answers and not self.block


def _is_quoted_answer(form: _Form, text: str) -> bool:
    """A quoted line that is an answer, not a template question (see the module's rules)."""
    if (
        len(text.split()) < 8
        or "?" in text
        or text.endswith(":")
        or _TEMPLATE_OPENERS.match(text)
        or _LABEL_PREFIX.match(text)
    ):
        return False
    if form.quoted_answers:
        return True
    return form.unanswered() and form.prompt.rstrip().endswith("?")


def _form_parts(kind: str, lines: list[str], is_marker: list[bool], skip: set[int]) -> list[tuple[str, str, list[str]]]:
    form = _Form()
    lead_allowed = False  # just after a non-empty "## group" heading of a learning plan or experiment
    for i, raw in enumerate(lines):
        if i in skip or is_marker[i]:
            continue
        line = raw.strip()
        if not line:
            form.flush_block()
            continue
        if line.startswith("<") and not _has_words(_TAG.sub("", line)):
            continue  # <div class="group">, </div>, <br>
        heading = re.match(r"^(#{2,6})\s*(.*)$", line)
        if heading:
            text = clean_inline(heading.group(2))
            form.heading(text)
            lead_allowed = bool(text) and kind != "solution"
            continue
        if line.startswith(">"):
            nested = re.match(r"^>\s*>", line)
            text = clean_inline(line.lstrip("> \t"))
            if nested or _is_quoted_answer(form, text):
                form.flush_block()
                form.line(text)
                form.flush_block()
                form.quoted_answers = True
            elif text:
                form.ask(text)
            lead_allowed = False
            continue
        if lead_allowed and re.fullmatch(r"\*\*.+\*\*", line):
            lead_allowed = False
            continue  # the template's lead under a group heading
        lead_allowed = False
        text = re.sub(r"^#\s+", "", line)  # a "# heading" answer line: its text
        bullet = _BULLET.match(text)
        if bullet:
            text = text[bullet.end() :]
        text = clean_inline(text)
        if not _has_words(text) or _BOILERPLATE.match(text):
            continue
        if form.prompt and form.unanswered() and _PROMPT_NOTE.match(text):
            form.prompt = f"{form.prompt} {text}"  # "Please note: we ask you to only submit…": the question's
            continue
        if bullet:
            form.flush_block()  # one paragraph per list item
            form.line(text)
            form.flush_block()
        else:
            form.line(text)
    form.close()
    return form.parts


#: Questions whose answers are a private person's contact details or age: never kept.
_PRIVATE_PROMPT = re.compile(
    r"""^(?:age|edad|âge|e-?mail(?:\ address)?|courriel|correo(?:\ electr[oó]nico)?|mobile\ number|phone(?:\ number)?
        |tel[eé]fono|t[eé]l[eé]phone|whatsapp|lead\ innovator.s\ (?:mobile\ number|e-?mail\ address)
        |contact(?:o|\ person|\ information|\ details)?(?:\ de\ la\ .*)?|solution\ owner\ /\ contact\ if\ available
        |what\ is\ the\ address\ and\ preferred\ way\ to\ contact.*)\s*[?:.]?$""",
    re.I | re.X,
)
#: Questions answered with the page's title (or with its full text when the file's title is cut short).
_TITLE_PROMPT = re.compile(
    r"(?i)\b(?:title|t[ií]tulo|titre|name of the (?:experimental activity|solution|innovation)"
    r"|provide a name for your action learning plan)\b"
)


def _form_sections(parts, title: str) -> tuple[str, list[Section]]:
    """Sections of a form page, and its title (the full one when the file's title is a cut copy
    of the "Title" answer)."""
    sections: list[Section] = []
    for group, prompt, answers in parts:
        if _PRIVATE_PROMPT.match(prompt or group):
            continue
        if (
            _TITLE_PROMPT.search(prompt)
            and len(answers) == 1
            and 20 <= len(title) < len(answers[0]) <= 250
            and _name_key(answers[0]).startswith(_name_key(title.rstrip(".…")))
            and not sections
        ):
            title = answers[0]  # the file's title was cut: the answer is the whole of it
        kept = [a for a in answers if not _same_text(a, title)]
        if not kept:
            continue
        if group and prompt and _name_key(prompt).startswith(_name_key(group)):
            heading = prompt  # "Challenge statement: What is your challenge?" under "## Challenge statement"
        else:
            heading = f"{group}: {prompt}" if group and prompt else group or prompt
        sections.append(
            Section(start=len(sections), end=None, heading=heading, paragraphs=[Paragraph(text=a) for a in kept])
        )
    return title, sections


# --------------------------------------------------------------------------- web pages

#: The site's "skip to content" link, the first line of a scraped page.
_SKIP_LINES = frozenset(
    s.lower()
    for s in (
        "Skip to main content",
        "Aller au contenu principal",
        "Pasar al contenido principal",
        "Saltar al contenido principal",
        "Ir al contenido principal",
        "Pular para o conteúdo principal",
        "Saltar para o conteúdo principal",
        "Ana içeriğe geç",
        "Перейти к основному содержанию",
        "تجاوز إلى المحتوى الرئيسي",
    )
)
#: A page title that is only the site's "skip" link or "home".
_NAV_TITLES = _SKIP_LINES | frozenset(
    s.lower() for s in ("Home", "Accueil", "Inicio", "Início", "Anasayfa", "الرئيسية")
)
_HOME_LINES = frozenset(
    s.lower()
    for s in ("HOME", "Home", "Accueil", "Inicio", "Início", "Anasayfa", "الرئيسية", "Главная", "Početna", "Главна")
)
#: Section labels of a breadcrumb and of teasers.
_LABELS = frozenset(
    s.lower()
    for s in (
        "BLOG",
        "BLOGS",
        "PUBLICATIONS",
        "PUBLICATION",
        "PUBLICACIONES",
        "PUBLICAÇÕES",
        "NEWS",
        "NEWS CENTRE",
        "ACTUALITÉS",
        "NOTICIAS",
        "NOTÍCIAS",
        "STORIES",
        "HISTORIAS",
        "HISTOIRES",
        "PRESS RELEASES",
        "PRESS RELEASE",
        "COMMUNIQUÉS DE PRESSE",
        "COMUNICADOS DE PRENSA",
        "SPEECHES",
        "DISCOURS",
        "DISCURSOS",
        "STORY",
        "ARTICLE",
        "ARTICLES",
        "PROJECTS",
        "PROJETS",
        "PROYECTOS",
        "EVENTS",
        "EVENTOS",
        "ÉVÉNEMENTS",
        "BLOGUE",
        "MEDIA",
        "OUR BLOG",
        "OUR BLOGS",
        "NUESTRO BLOG",
        "NOTRE BLOG",
        "BLOGUES",
    )
)
_READ_MORE = frozenset(
    s.lower()
    for s in (
        "READ MORE",
        "LEER MÁS",
        "LIRE LA SUITE",
        "EN SAVOIR PLUS",
        "LER MAIS",
        "LEIA MAIS",
        "SAIBA MAIS",
        "DEVAMINI OKU",
        "DAHA FAZLA",
        "ПОДРОБНЕЕ",
        "ЧИТАТЬ ДАЛЕЕ",
        "اقرأ أكثر",
        "اقرأ المزيد",
        "PROČITAJTE VIŠE",
        "ОПШИРНИЈЕ",
        "VIEW MORE",
        "VER MÁS",
        "VOIR PLUS",
    )
)
_RELATED = re.compile(
    r"^(related publications|related content|publications connexes|publicaciones relacionadas|"
    r"publicações relacionadas|related stories|related news|you may also like)\s*$",
    re.I,
)
#: The footer's first menu heading.
_FOOTER_MENU = frozenset(
    s.lower()
    for s in (
        "WHO WE ARE",
        "QUIÉNES SOMOS",
        "NOUS CONNAÎTRE",
        "QUEM SOMOS",
        "من نحن",
        "BİZ KİMİZ",
        "KIM SMO",
        "КО СМО",
        "О НАС",
        "КТО МЫ",
    )
)
_ORG_LINE = re.compile(
    r"^(united nations|development programme|programa de las naciones|para el desarrollo|"
    r"programme des nations|pour le développement|programa das nações|para o desenvolvimento|"
    r"برنامج الأمم|المتحدة الإنمائي|birleşmiş milletler|kalkınma programı)",
    re.I,
)
_ORG_FIRST = frozenset(
    s.lower()
    for s in (
        "United Nations",
        "Programa de las Naciones Unidas",
        "Programme des Nations Unies",
        "Programa das Nações Unidas",
        "برنامج الأمم",
        "Birleşmiş Milletler",
        "Програма розвитку",
        "Программа развития",
    )
)
_ORG_SECOND = frozenset(
    s.lower()
    for s in (
        "Development Programme",
        "para el Desarrollo",
        "pour le développement",
        "para o Desenvolvimento",
        "المتحدة الإنمائي",
        "Kalkınma Programı",
        "Організації Об'єднаних Націй",
        "Организации Объединенных Наций",
    )
)
#: Footer links every undp.org page has in English, whatever its language.
_FOOTER_FIRM = frozenset(
    s.lower()
    for s in (
        "Report Fraud, Abuse, Misconduct",
        "Submit social or environmental complaint",
        "Scam Alert",
        "Terms of Use",
    )
)
_COPYRIGHT = re.compile(r"^©\s*\d{4}\s+(?:united nations|programa|programme|برنامج|birleşmiş)", re.I)
#: Other footer menu headings: a WHO WE ARE with one of these after it is the footer, not a heading.
_FOOTER_MENU_MORE = frozenset(
    s.lower()
    for s in (
        "WHAT WE DO",
        "OUR IMPACT",
        "GET INVOLVED",
        "QUÉ HACEMOS",
        "NUESTRO IMPACTO",
        "INVOLÚCRATE",
        "NOTRE TRAVAIL",
        "NOTRE IMPACT",
        "NOUS REJOINDRE",
        "O QUE FAZEMOS",
        "O NOSSO IMPACTO",
        "عملنا",
        "تأثيرنا",
        "شارك معنا",
        "About us",
        "About Us",
        "Sobre nosotros",
        "A propos",
        "نبذة",
    )
)
_JUNK_LINE = re.compile(
    r"""^(?:---\s*(?:content|image\ caption|article\ text\ goes\ here)\s*---
        |\[?original\ article\ published\ here\]?.*
        |[\w.%-]+\.(?:jpe?g|png|gif|webp|svg)
        |anonymous\ \(not\ verified\)
        |(?:mon|tue|wed|thu|fri|sat|sun),\ \d\d/\d\d/\d{4}\ -\ \d\d:\d\d
        |document|pdf\ \([\d.,]+\s*[kmg]b\)|download|descargar|télécharger|baixar
        |video\ player|select\ title
        |authors?|autor(?:es|a|as)?|auteur(?:e|s)?|escrito\ por|written\ by|المؤلف|autori?|yazar
        |press\ enter\ or\ click\ to\ view\ image\ in\ full\ size
        |share|partager|compartir|facebook|twitter|x-twitter|linkedin|instagram|youtube|whatsapp|email|print
        )$""",
    re.I | re.X,
)
_MEDIUM_HEAD = re.compile(
    r"^(?P<title>.*?)(?P<publisher>UNDP Accelerator Labs|UNDP Azerbaijan|UN Development Programme|UNDP[\w ]{0,40}?)?"
    r"\s*·?\s*(?:Follow)?\s*\d+\s*min read\s*·?\s*[^-]{0,40}?(?:--|\d)?\s*Listen\s*Share\s*",
    re.S,
)
_MEDIUM_NOISE = re.compile(
    r"Press enter or click to view image in full size|Get [^.]{0,60}’s stories in your inbox|"
    r"Join Medium for free to get updates from this writer\.?|(?:Subscribe){1,2}"
)
_DATE_LINE = re.compile(
    r"""^(?:\d{1,2}\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4}
        |[^\W\d_]{3,12}\.?\s+\d{1,2},?\s+\d{4}
        |\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{4})$""",
    re.X,
)
_TITLE_WORD = re.compile(r"[^\W_][\w’'-]*")


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters if c.upper() != c.lower())


def _has_case(text: str) -> bool:
    return any(c.upper() != c.lower() for c in text)


def _words(text: str) -> int:
    return len(text.split())


#: Header menu lines between the "skip" link and the breadcrumb (when no breadcrumb follows).
_HEADER_MENU = (
    _FOOTER_MENU
    | _FOOTER_MENU_MORE
    | frozenset(
        s.lower()
        for s in ("Global", "Search", "ENGLISH", "FRANÇAIS", "ESPAÑOL", "PORTUGUÊS", "العربية", "Menu", "Close")
    )
)


def _body_start(lines: list[str]) -> tuple[int, bool, str | None, str | None]:
    """Where the article starts (index into ``lines``), whether site navigation was found, the
    breadcrumb's title and a subtitle glued to the repeated title.

    ``lines`` are the body's non-empty, stripped lines."""
    head = [line.lower() for line in lines[:60]]
    skip_at = next((i for i, line in enumerate(head[:6]) if line in _SKIP_LINES), None)
    first = 0 if skip_at is None else skip_at + 1
    home = next((i for i in range(first, min(len(head), first + 40)) if head[i] in _HOME_LINES), None)
    if home is None or (skip_at is None and home > 2):
        if skip_at is None:
            return 0, False, None, None
        i = skip_at + 1  # no breadcrumb: past the office line and the header's menu
        last_menu = max((k for k in range(i, min(len(head), i + 25)) if head[k] in _HEADER_MENU), default=None)
        return (last_menu + 1 if last_menu is not None else i), True, None, None
    i = home + 1
    if i < len(lines) and len(lines[i]) <= 80:
        i += 1  # the office ("Malaysia, Singapore & Brunei Darussalam")
    for _ in range(2):
        if (
            i + 1 < len(lines)
            and lines[i].lower() in _LABELS | {"accelerator labs"}
            and not lines[i + 1].lower().startswith(lines[i].lower() + " ")
        ):
            i += 1  # "Accelerator Labs / Blog", "BLOG" (but "Blog" is the title of "Blog As we strive…")
    if i >= len(lines):
        return len(lines), True, None, None
    title = lines[i]
    i += 1
    subtitle = None
    if i < len(lines) and lines[i].lower().startswith(title.lower()[: max(10, len(title) - 3)]):
        repeat = lines[i]
        if _has_case(repeat) and not _is_upper(repeat):
            better = repeat[: len(title)].strip()
            if _same_text(better, title):
                title = better  # the breadcrumb in capitals, the repeat in the page's own case
        rest = repeat[len(title) :].strip() if repeat.lower().startswith(title.lower()) else ""
        subtitle = rest if rest and not _same_text(rest, title) else None
        i += 1
    for _ in range(2):
        if i < len(lines) and _DATE_LINE.match(lines[i]):
            i += 1
    return i, True, title, subtitle


def _is_label(line: str) -> bool:
    return line.lower() in _LABELS or (_is_upper(line) and _has_case(line) and _words(line) <= 4)


def _body_end(lines: list[str], start: int) -> int:
    """Where a web article ends: the first teaser, "Related …" list, footer or copyright line."""
    for i in range(start, len(lines)):
        line = lines[i]
        low = line.lower()
        if low in _READ_MORE:
            for back in range(1, 4):  # LABEL / title / snippet… / READ MORE
                k = i - back
                if k < start:
                    break
                if _is_label(lines[k]):
                    return k
            return max(start, i - 2 if i >= 1 and lines[i - 1].endswith(("...", "…")) else i - 1)
        if _RELATED.match(line) or _COPYRIGHT.match(line) or low in {"document type", "search and filter close"}:
            return i
        if low in _ORG_FIRST and i + 1 < len(lines) and lines[i + 1].lower() in _ORG_SECOND:
            return i  # the footer's "United Nations / Development Programme", in any language
        if low in _FOOTER_FIRM:
            cut = i  # the footer's fixed English links: back over the menu's short lines above them
            while (
                cut - 1 >= start
                and i - cut < 40
                and _words(lines[cut - 1]) <= 6
                and not _TERMINAL.search(lines[cut - 1])
            ):
                cut -= 1
            return cut
        if low in {"regions and countries", "topics"} and i + 1 < len(lines) and _words(lines[i + 1]) <= 12:
            return i  # a publication page's facets
        if low in _FOOTER_MENU:
            org = i - 1 >= start and _ORG_LINE.match(lines[i - 1])
            menu = any(lines[k].lower() in _FOOTER_MENU_MORE for k in range(i + 1, min(len(lines), i + 12)))
            if org or menu:
                cut = i
                while cut - 1 >= start and i - cut < 3 and _ORG_LINE.match(lines[cut - 1]):
                    cut -= 1
                return cut
        if low in _LABELS and any(lines[k].lower() in _READ_MORE for k in range(i + 1, min(len(lines), i + 5))):
            return i
    return len(lines)


def _recase(title: str, body: str) -> str:
    """An all-capitals title with each word's usual case in ``body``: a word the body writes in
    lower case mid-sentence is lower case, a name keeps its capital ("Baku"), a word only ever in
    capitals is an acronym ("UNDP", "SMEs" keeps its body form), a roman numeral stays, a word the
    body lacks is lower case; the first letter is upper case."""
    forms: dict[str, Counter] = {}
    for found in _TITLE_WORD.finditer(body[:200_000]):
        before = body[max(0, found.start() - 3) : found.start()]
        if found.start() == 0 or re.search(r"(?:^|[.!?:;\n]\s*|[\n“\"(‘'«]\s*)$", before):
            continue  # a capital at a sentence's start says nothing about the word
        word = found.group(0)
        forms.setdefault(_stem_of(word).lower(), Counter())[_stem_of(word)] += 1

    def fix(match: re.Match) -> str:
        word = match.group(0)
        stem, suffix = _stem_of(word), word[len(_stem_of(word)) :]
        seen = forms.get(stem.lower())
        if not seen:
            return word if re.fullmatch(r"[IVXLC]+", stem) else word.lower()
        usual = {form: n for form, n in seen.items() if not _is_upper(form) or len(form) == 1}
        if not usual:
            return word  # only ever in capitals: an acronym
        best = max(usual.items(), key=lambda item: item[1])[0]
        return best + suffix.lower()

    recased = _TITLE_WORD.sub(fix, title)
    first = re.search(r"[^\W\d_]", recased)
    return (
        recased[: first.start()] + recased[first.start()].upper() + recased[first.start() + 1 :] if first else recased
    )


def _stem_of(word: str) -> str:
    """``BAKU’S`` → ``BAKU``: the word without a possessive ending."""
    return re.sub(r"[’'][^\W\d_]{1,2}$", "", word)


def _web_paragraphs(lines: list[str]) -> list[tuple[str, bool]]:
    """(text, heading-like) units from body lines (blank lines kept as ""): a line is a paragraph,
    except that a line not ending a sentence is joined to a next line starting in lower case."""
    units: list[list[str]] = []
    joinable = False
    for raw in lines:
        line = raw.strip()
        if not line:
            joinable = False
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        bullet = _BULLET.match(line)
        text = clean_inline(heading.group(1) if heading else line[bullet.end() :] if bullet else line)
        if not _has_words(text):
            continue
        if joinable and units and not heading and not bullet and text[:1].islower():
            if re.search(r"[^\W\d_]-$", units[-1][-1 if len(units[-1]) > 2 else 0]):
                last = -1 if len(units[-1]) > 2 else 0  # "develop-" + "ment": one word again
                units[-1][last] = units[-1][last][:-1] + text
            else:
                units[-1].append(text)
        else:
            units.append([text, "#" if heading else ""])
        joinable = not heading and not _TERMINAL.search(text)
    out = []
    for parts in units:
        marker = parts.pop(1)
        text = " ".join(parts)
        out.append((text, bool(marker) or _looks_like_heading(text)))
    return out


_CREDIT = re.compile(
    r"(?i)\b(?:photo\w*|foto\w*|crédits?|credits?|infographics?|image|imagen|source|fuente)\b|©|/"
    r"|^(?:by|author|authors|autor|autores|auteur|auteurs|written by|escrito por|par)\b"
)


def _looks_like_heading(text: str) -> bool:
    words = _words(text)
    return (
        words <= 12
        and len(text) <= 100
        and not re.search(r"[.,;…]$", text)
        and re.search(r"[^\W\d_]{3}", text) is not None  # not "M", "21" or "5%" (PDF debris)
        and not (words == 1 and _is_upper(text) and len(text) <= 6)  # a credit ("UNDP"), not a heading
        and _CREDIT.search(text) is None
        and (text[:1].isupper() or text[:1].isdigit() or not _has_case(text[:1]))
    )


def _split_long(text: str) -> list[str]:
    """A paragraph of more than LONG_PARAGRAPH_WORDS words as pieces of whole sentences."""
    if _words(text) <= LONG_PARAGRAPH_WORDS:
        return [text]
    sentences = split_sentences(text)
    if max((_words(s) for s in sentences), default=0) > LONG_PARAGRAPH_WORDS:
        # glued text ("…end.Next") or no sentence ends at all: split after any sentence mark, then by words
        sentences = [p for s in sentences for p in re.split(r"(?<=[.!?])(?=[A-Z“\"])", s) if p.strip()]
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        words = sentence.split()
        while len(words) > MAX_WORDS:  # a table or a run-on sentence
            if current:
                pieces.append(" ".join(current))
                current, count = [], 0
            pieces.append(" ".join(words[:MAX_WORDS]))
            words = words[MAX_WORDS:]
        if count and count + len(words) > MAX_WORDS:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(" ".join(words))
        count += len(words)
    if current:
        pieces.append(" ".join(current))
    return [p for p in pieces if p]


def _web_sections(units: list[tuple[str, bool]]) -> list[Section]:
    sections: list[Section] = []
    heading = ""
    paragraphs: list[str] = []
    count = 0

    def flush() -> None:
        nonlocal paragraphs, count
        if paragraphs:
            sections.append(
                Section(
                    start=len(sections), end=None, heading=heading, paragraphs=[Paragraph(text=p) for p in paragraphs]
                )
            )
        paragraphs, count = [], 0

    for text, is_heading in units:
        if is_heading:
            if count >= MIN_HEADING_WORDS:
                flush()
                heading = text
                continue
            if not paragraphs and _words(heading) + _words(text) <= 30:
                heading = f"{heading}{' ' if heading.endswith(':') else ': '}{text}" if heading else text
                continue
        for piece in _split_long(text):
            words = _words(piece)
            if count >= TARGET_WORDS and count + words > MAX_WORDS:
                flush()
            paragraphs.append(piece)
            count += words
    if paragraphs and sections and count < 40 and _words(sections[-1].text) + count <= MAX_WORDS + 100:
        # a short last part joins the one before; its own heading stays as its first line
        tail = ([heading] if heading and heading != sections[-1].heading else []) + paragraphs
        sections[-1].paragraphs.extend(Paragraph(text=p) for p in tail)
        paragraphs = []
    flush()
    if not sections and heading:
        # only heading-like lines: keep them as text
        sections.append(Section(start=0, end=None, heading="", paragraphs=[Paragraph(text=heading)]))
    return sections


def _medium(body: str) -> tuple[str | None, str]:
    """A Medium page: (title from its header, body after "ListenShare"); (None, body) otherwise."""
    found = _MEDIUM_HEAD.search(body[:2000])
    if not found or "min read" not in found.group(0):
        return None, body
    title = found.group("title").strip() or None
    rest = body[found.end() :]
    response = rest.find("A response icon")
    if response >= 0:
        publisher = max(
            rest.rfind(p, 0, response) for p in ("UNDP Accelerator Labs", "UNDP Azerbaijan", "UN Development Programme")
        )
        rest = rest[:publisher] if publisher > 0 else rest[:response]
    return title, _MEDIUM_NOISE.sub(" ", rest)


def _web_body(lines: list[str], title: str, warnings: list[str]) -> tuple[str, list[Section]]:
    lines = ["" if _JUNK_LINE.match(clean_inline(line)) else line for line in lines]
    medium_title, medium_body = _medium("\n".join(lines).strip())
    if medium_title is not None:
        lines = medium_body.splitlines()
        if title.endswith(("...", "…")) or "min read" in title or _MEDIUM_HEAD.search(title + " ListenShare"):
            title = clean_inline(medium_title)
    solid = [line.strip() for line in lines if line.strip()]
    start, navigation, crumb_title, subtitle = _body_start(solid)
    # A PDF text (no site navigation) is never cut: "READ MORE" or "WHO WE ARE" there is the report's.
    end = _body_end(solid, start) if navigation or medium_title is not None else len(solid)
    kept_ids = set(range(start, end))
    # Map the kept non-empty lines back onto the lines with their blank lines.
    body_lines: list[str] = []
    k = 0
    for line in lines:
        if line.strip():
            if k in kept_ids and not _JUNK_LINE.match(clean_inline(line)):
                body_lines.append(line)
            k += 1
        else:
            body_lines.append("")
    # The title and date again under the download buttons ("PDF (1MB)", "DOWNLOAD") of a publication.
    if navigation:
        seen = 0
        for n, line in enumerate(body_lines):
            if not line.strip():
                continue
            seen += 1
            if seen > 6:
                break
            plain = clean_inline(line)
            if _DATE_LINE.match(plain) or _same_text(plain, title) or (crumb_title and _same_text(plain, crumb_title)):
                body_lines[n] = ""
    if subtitle:
        body_lines.insert(0, subtitle)
    nav_title = title.lower() in _NAV_TITLES or not _has_words(title)
    if nav_title:
        repaired = clean_inline(crumb_title) if crumb_title else ""
        if repaired and repaired.lower() not in _NAV_TITLES:
            warnings.append(f"title {title!r} is site navigation; used the breadcrumb's {repaired!r}")
            title = repaired
        else:
            warnings.append(f"title {title!r} is site navigation and no breadcrumb title was found")
    if _is_upper(title) and _has_case(title) and _words(title) >= 2:
        title = _recase(title, "\n".join(body_lines))
    if navigation or medium_title is not None:
        units = _web_paragraphs(body_lines)
    else:
        units = [(text, False) for text in _pdf_paragraphs(body_lines)]  # a PDF's text: its headings are noise
    return title, _web_sections(units)


def _pdf_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of a PDF's text: blocks between blank lines, hard-wrapped lines joined again."""
    paragraphs: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            text = ""
            for piece in block:
                if text and re.search(r"[^\W\d_]-$", text) and piece[:1].islower():
                    text = text[:-1] + piece  # "develop-" + "ment"
                else:
                    text = f"{text} {piece}" if text else piece
            paragraphs.append(text)
            block.clear()

    for raw in lines:
        text = clean_inline(raw)
        if not raw.strip():
            flush()
        elif _has_words(text):
            block.append(text)
    flush()
    return paragraphs


# --------------------------------------------------------------------------- the page


def _scrub_document(document: Document, consent: re.Pattern | None, private: list[str]) -> None:
    """No e-mail address, consent link or focal point value in any string of the document."""

    def scrub(text: str) -> str:
        for value in private:
            if value and value in text:
                text = text.replace(value, " ")
        text = remove_emails(text)
        if consent is not None:
            text = consent.sub(" ", text)
        return " ".join(text.split()) if ("  " in text or "\n" in text) else text

    document.title = scrub(document.title)
    document.countries = [scrub(c) for c in document.countries]
    document.metadata = {k: _dedupe(scrub(v) for v in vs) for k, vs in document.metadata.items()}
    document.metadata = {k: vs for k, vs in document.metadata.items() if vs}
    document.links = {k: v for k, v in document.links.items() if scrub(v) == v}
    for section in document.sections:
        section.heading = scrub(section.heading)
        for paragraph in section.paragraphs:
            paragraph.text = scrub(paragraph.text)
        section.paragraphs = [p for p in section.paragraphs if _has_words(p.text)]
    document.sections = [s for s in document.sections if s.paragraphs]
    for number, section in enumerate(document.sections):
        section.start = number


def _language_sample(paragraphs: list[str]) -> str:
    """The start of a short text; for a long one (a bilingual report's English half may come
    second) three pieces from its start, middle and end, LANGUAGE_SAMPLE characters in all."""
    total = sum(len(p) for p in paragraphs)
    if total <= LANGUAGE_SAMPLE * 3:
        return "\n".join(paragraphs)
    text = "\n".join(paragraphs)
    piece = LANGUAGE_SAMPLE // 3
    return "\n".join(text[at : at + piece] for at in (0, len(text) // 2, len(text) - piece))


def parse_page(text: str, path: Path | str) -> Document:
    """One archive page of type solution, learningplan, experiment, blog or publications as a
    :class:`Document`; raises :class:`ParseError` saying why a page is unusable."""
    path = Path(path)
    if "\r" in text:
        # CRLF files; a lone CR sits inside a line (even inside a marker): a space
        text = text.replace("\r\n", "\n").replace("\r", " ")
    if "<" in text:
        text = _TAG.sub(" ", text)  # tags, also those broken over two lines (<span style="…\n…">)
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    kind = page_kind(text)
    if kind not in PAGE_TYPES:
        raise ParseError(f"page type is {kind or 'missing'}, not one of {', '.join(PAGE_TYPES)}")
    lines = text.split("\n")
    meta, is_marker = read_markers(lines)
    warnings: list[str] = []
    title_at, title_lines = _title_block(lines, is_marker)
    skip = set(range(title_at, title_at + len(title_lines))) if title_at >= 0 else set()
    if kind in FORM_TYPES:
        title = _clean_title(
            " ".join(line for n, line in enumerate(title_lines) if n == 0 or not _same_text(line, title_lines[0]))
        )
        title, sections = _form_sections(_form_parts(kind, lines, is_marker, skip), title)
    else:
        title = _clean_title(title_lines[0]) if title_lines else ""
        first_marker = next((n for n, marker in enumerate(is_marker) if marker), 0)
        # Lines above the first marker continue the title: a truncated copy of the page's start.
        body = [line for n, line in enumerate(lines) if n >= first_marker and not is_marker[n] and n not in skip]
        title, sections = _web_body(body, title, warnings)
    if not title:
        title = path.stem
        warnings.append("no title; used the file name")
    countries, continents = _places(meta, warnings)
    source = (meta.get("source") or [""])[0].strip()
    links = {"source": source} if kind in WEB_TYPES and is_web_url(source) else {}
    if kind in WEB_TYPES and source and not links:
        warnings.append(f"source {source[:60]!r} is not an http(s) URL; dropped")
    document = Document(
        id=path.stem,
        type=kind,
        title=title,
        countries=countries,
        continents=continents,
        year=_year(meta),
        links=links,
        metadata=_metadata(meta),
        sections=sections,
        path=str(path),
        warnings=warnings,
    )
    _scrub_document(document, _consent_pattern(meta.get("consent", [])), meta.get("focal_point", []))
    if not document.sections:
        raise ParseError(f"no text after cleaning: the {kind} page has only its title and metadata")
    own_text = _language_sample([p.text for s in document.sections for p in s.paragraphs])
    document.language = detect_language(own_text) or detect_language(f"{document.title}\n{own_text}")
    return document


__all__ = [
    "EMAIL",
    "FORM_TYPES",
    "PAGE_TYPES",
    "SDGS",
    "SDG_NAMES",
    "WEB_TYPES",
    "ParseError",
    "canonical_method",
    "canonical_sdg",
    "country_continents",
    "country_lookup",
    "detect_language",
    "normalise_country",
    "parse_page",
    "remove_emails",
]
