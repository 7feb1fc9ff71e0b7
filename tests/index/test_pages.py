"""index/pages.py on real archive pages: tests/data/archive/ (a few of each type, see its README)
and, when ../shared/archive/pages is there, every page of the five types."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import DATA, SHARED

from labstories.index.pages import (
    PAGE_TYPES,
    SDGS,
    canonical_method,
    canonical_sdg,
    country_continents,
    detect_language,
    normalise_country,
    page_kind,
    parse_page,
    remove_emails,
)
from labstories.index.parse import ParseError
from labstories.index.records import Document

FIXTURES = DATA / "archive"
#: The whole archive beside the checkout (LABSTORIES_TEST_SHARED moves the shared folder).
ARCHIVE_PAGES = SHARED / "archive" / "pages"

#: An e-mail address, independent of the module's own pattern.
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: Scraped site navigation that must never be passage text.
NAVIGATION = (
    "Skip to main content",
    "Pasar al contenido principal",
    "Aller au contenu principal",
    "WHO WE ARE",
    "WHAT WE DO",
    "OUR IMPACT",
    "GET INVOLVED",
    "READ MORE",
    "LEER MÁS",
    "LIRE LA SUITE",
    "QUIÉNES SOMOS",
    "NOUS CONNAÎTRE",
    "Report Fraud",
    "Scam Alert",
    "Terms of Use",
    "Original article published here",
    "Related Publications",
    "DOWNLOAD",
    "Development Programme WHO",
    "© 2023",
    "© 2024",
    "ListenShare",
    "min read",
    "A response icon",
    "Search and filter",
)

ESWATINI = "blog_skip_to_main_content_home_eswatini_a_universal_access_to_quality_standards_for_all_farming_remains_the_backbone_of.md"
QUITO = "blog_otros_mapas_de_nuestros_barrios_una_experiencia_de_cartograf_a_social_con_j_venes.md"
ALGERIA = "blog_aller_au_contenu_principal_home_alg_rie_blog_une_transition_vers_une_conomie_verte_participants_la_semaine_de.md"
DRONE = "blog_drone_for_the_islands_leaving_no_island_behind.md"
MEDIUM = "blog_cities_in_motion_reimagining_urban_innovationundp_accelerator_labsfollow7_min_read_oct_2_20251listenshareby_tayo.md"
LISTING = "blog_home_accelerator_labs_blog.md"
KAZAKHSTAN = "blog_2019_kazakhstan_human_development_report.md"
PDF = "blog_next_practices_a_digital_financial_inclusion_r_d_agenda.md"
CLOSING_PLAN = "closing_action_plan_2022___citizen_science.md"
YOUTH_PLAN = "youth_entrepreneurship.md"
SERBIA = "how_to_make_a_web_portal_which_assists_in_startup_development__a_serbian_experience.md"
MALI = "d_mat_rialisation_des_actes_d__tat_civil.md"
FOOD = "sustainable_food_waste_recycling_.md"
MANGROVES = "a_network_of_women_saving_the_mangroves.md"
MERRY = "a_merry_community_for_all.md"
TIMOR = "timorese_local_painting_and_local_artist.md"
CRLF = "cultivando_futuro.md"
EMPTY = "agric_brain_platform.md"


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.md") if p.name != "README.md")


def raw(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


@cache
def doc(name: str) -> Document:
    return parse_page(raw(name), FIXTURES / name)


def everything(document: Document) -> str:
    """Every string of the document, as the index and the app could see it."""
    return json.dumps(dataclasses.asdict(document), ensure_ascii=False)


def paragraphs(document: Document) -> list[str]:
    return [p.text for s in document.sections for p in s.paragraphs]


def body(document: Document) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in document.sections)


def markers(text: str, key: str) -> list[str]:
    return re.findall(r"\[\[" + key + r":(.*?)\]\]", text)


def parsed_fixtures() -> list[str]:
    return [n for n in fixture_names() if n != EMPTY]


# --------------------------------------------------------------------------- the fixture pages


def test_fixture_folder_is_small_and_has_every_type():
    assert sum(p.stat().st_size for p in FIXTURES.iterdir()) < 300_000
    kinds = Counter(page_kind(raw(n)) for n in fixture_names())
    assert all(kinds[kind] >= 2 for kind in PAGE_TYPES), kinds


@pytest.mark.parametrize("name", parsed_fixtures())
def test_document_shape(name):
    document = doc(name)
    assert document.id == Path(name).stem
    assert document.type == page_kind(raw(name))
    assert document.path.endswith(name)
    assert document.title and document.title.strip() == document.title
    assert document.sections, "every fixture but the empty one has text"
    assert [s.start for s in document.sections] == list(range(len(document.sections)))
    for section in document.sections:
        assert section.end is None
        assert section.paragraphs
        for paragraph in section.paragraphs:
            assert paragraph.text.strip() and "\n" not in paragraph.text
            assert not any(paragraph.tags.values()), "paragraph tags stay empty"
            assert paragraph.start is None
    assert document.language


@pytest.mark.parametrize("name", parsed_fixtures())
def test_no_personal_data_anywhere(name):
    text = raw(name)
    dumped = everything(doc(name))
    assert not EMAIL.search(dumped), EMAIL.search(dumped).group(0)
    for address in markers(text, "focal_point"):
        assert address not in dumped
    for link in markers(text, "consent"):
        core = re.sub(r"^(?:https?:/*)?(?:www\.)?", "", link.strip()).rstrip("/")
        assert core not in dumped, f"consent link {link!r} kept"
    for key in ("focal_point", "consent", "gender", "latlng"):
        assert key not in doc(name).metadata


def test_emails_in_the_text_itself_are_removed():
    assert "info@kulishafeed.com" in raw(FOOD) and "Email:" in raw(FOOD)
    assert not EMAIL.search(body(doc(FOOD)))
    assert "accelerator.labs@UNDP.org" in raw(PDF)  # in the report's own text
    assert not EMAIL.search(body(doc(PDF)))
    assert remove_emails("Write us at a.b@undp.org or E-mail:x@y now") == "Write us at or now"


def test_consent_link_in_the_answer_is_removed_with_the_rest_kept():
    consent = markers(raw(MANGROVES), "consent")[0]
    assert consent in raw(MANGROVES).split(f"[[consent:{consent}]]", 1)[1]  # the text repeats it
    text = body(doc(MANGROVES))
    assert "youtube.com/watch" not in text
    assert "zetatijuana.com" in text and "Las Guardianas" in text


def test_private_answers_of_a_solution_form_are_dropped():
    document = doc(MERRY)
    assert "> Age" in raw(MERRY)
    assert "Age" not in [s.heading for s in document.sections]
    assert "19-35" not in body(document)
    assert "Thematic area tags generated using" not in body(document)  # the platform's note on every page
    assert "Name of the Innovator" in [s.heading for s in document.sections]


# --------------------------------------------------------------------------- metadata


def test_countries_and_continents():
    assert doc(DRONE).countries == [] and doc(DRONE).continents == []  # Null Island is no country
    assert markers(raw(MANGROVES), "country") == ["Mexico", "Mexico"]
    assert doc(MANGROVES).countries == ["Mexico"] and doc(MANGROVES).continents == ["North America"]
    assert set(markers(raw(TIMOR), "country")) == {"East Timor"}
    assert doc(TIMOR).countries == ["Timor-Leste"] and doc(TIMOR).continents == ["Asia"]  # from the lookup
    assert doc(ESWATINI).continents == ["Africa"]  # the page's own [[continent:]]
    assert doc(SERBIA).countries == ["Serbia"] and doc(SERBIA).continents == ["Europe"]


def test_country_names_follow_the_archive_lookup():
    assert normalise_country("United States") == "United States of America"
    assert normalise_country("timor leste") == "Timor-Leste"
    assert normalise_country("Ivory Coast") == "Côte d'Ivoire"
    assert normalise_country("Null Island") is None and normalise_country(" ") is None
    assert normalise_country("Trinidad and Tobago") == "Trinidad and Tobago"  # not its part "Tobago"
    assert normalise_country("Bosnia and Herzegovina") == "Bosnia and Herzegovina"
    assert normalise_country("Guinea Bissau") == "Guinea-Bissau"
    assert normalise_country("Atlantis") == "Atlantis"
    assert country_continents("Russia") == ["Asia", "Europe"]
    assert country_continents("Trinidad and Tobago") == ["North America"]
    assert country_continents("Null Island") == [] and country_continents("Atlantis") == []


def test_years():
    assert doc(ESWATINI).year == 2022
    assert doc(KAZAKHSTAN).year == 2020  # [[year:]] wins over the later [[date:]]
    assert doc(CLOSING_PLAN).year == 2023
    assert doc(MEDIUM).year is None  # the page has neither [[year:]] nor [[date:]]
    text = raw(ESWATINI).replace("[[year:2022]]", "").replace("2022-12-23", "1066-12-23")
    assert parse_page(text, ESWATINI).year is None  # no plausible year


def test_sdgs_are_canonical():
    assert "[[sdgs:10. Reduced innequalities]]" in raw(YOUTH_PLAN)
    assert doc(YOUTH_PLAN).metadata["sdgs"] == [
        "8. Decent work and economic growth",
        "10. Reduced inequalities",
        "16. Peace, justice and strong institutions",
    ]
    for name in parsed_fixtures():
        assert set(doc(name).metadata.get("sdgs", [])) <= set(SDGS)
        assert "innequalities" not in everything(doc(name))
    assert len(SDGS) == 17 and SDGS[9] == "10. Reduced inequalities"
    assert canonical_sdg("10. Reduced innequalities") == "10. Reduced inequalities"
    assert canonical_sdg("SDG 5") == "5. Gender equality"
    assert canonical_sdg("Goal 13: Climate action") == "13. Climate action"
    assert canonical_sdg("reduced inequality") == "10. Reduced inequalities"
    assert canonical_sdg("Peace justice & strong institutions") == "16. Peace, justice and strong institutions"
    assert canonical_sdg("18. Something else") is None and canonical_sdg("") is None


def test_methods_and_experiment_facts():
    serbia = doc(SERBIA).metadata
    assert serbia["methods"] == [
        "Prototyping",
        "Minimal Viable Product (MVP)",
        "Human Centered Design",
        "Design Thinking",
        "Design Sprints",
        "Co-creation",
    ]
    assert serbia["experiment_status"] == ["Completed"]
    assert serbia["experiment_type"] == ["Pre Experimental (trial and error, prototype, a/b testing)"]
    assert serbia["partnering_sector"] == ["Civil Society/ NGOs", "Private Sector", "Public Sector"]
    assert "digital" in serbia["thematic_areas"]
    assert canonical_method("solution mapping") == "Solutions Mapping"
    assert canonical_method("co-creation") == "Co-creation"
    assert canonical_method("Data Ethography") == "Data Ethnography"
    assert canonical_method("art of hosting") == "Art of hosting"
    assert doc(CLOSING_PLAN).metadata["methods"] == [
        "Solutions Mapping",
        "Citizen Science",
        "(Community) Asset Mapping",
    ]


def test_source_link_only_for_web_pages():
    assert doc(ESWATINI).links == {
        "source": "https://www.undp.org/eswatini/blog/universal-access-quality-standards-all"
    }
    assert doc(KAZAKHSTAN).links["source"].startswith("https://www.undp.org/kazakhstan/publications/")
    assert doc(SERBIA).links == {} and doc(FOOD).links == {}
    text = raw(ESWATINI).replace("[[source:https://", "[[source:javascript://")
    assert parse_page(text, ESWATINI).links == {}


# --------------------------------------------------------------------------- form pages


def prompts_of(name: str) -> list[str]:
    return [
        line.lstrip("> ").strip() for line in raw(name).splitlines() if line.startswith(">") and len(line.split()) >= 3
    ]


@pytest.mark.parametrize("name", [CLOSING_PLAN, YOUTH_PLAN, SERBIA, MALI, FOOD, MERRY])
def test_prompts_are_context_not_content(name):
    document = doc(name)
    text = "\n".join(paragraphs(document))
    for prompt in prompts_of(name):
        assert prompt not in text, f"prompt {prompt!r} in the answers"
    headings = [s.heading for s in document.sections]
    assert all(headings), "every answer sits under its question"


def test_unanswered_prompts_disappear():
    closing = doc(CLOSING_PLAN)
    headings = " | ".join(s.heading for s in closing.sections)
    # "> Sense", "> Explore", … inside <div class="group"> wrappers, with no answer
    assert "<div" in raw(CLOSING_PLAN) and "> Sense" in raw(CLOSING_PLAN)
    for gone in ("Sense", "Explore", "Test", "Grow", "how much of your time did you dedicate"):
        assert gone not in headings
    assert not any(re.search(r"<\w+|</", p) for p in paragraphs(closing))
    assert closing.sections[0].heading == (
        "Learnings on your challenge: What are the top 5 key insights you generated "
        "about your frontier challenge during this Action Learning Plan?"
    )
    assert closing.sections[0].text.startswith("Citizen science is a versatile tool")
    serbia = " | ".join(s.heading for s in doc(SERBIA).sections)
    assert "Current status of experimental activity" not in serbia  # no answer under it
    assert "Design: What is the object being tested?" in serbia
    youth = " | ".join(s.heading for s in doc(YOUTH_PLAN).sections)
    assert "Challenge type" not in youth and "Please note" not in body(doc(YOUTH_PLAN))


def test_template_bold_leads_are_dropped():
    assert "**This section is to explain the basics of the activity**" in raw(SERBIA)
    assert "**Ne remplissez cette section que lors de la présentation des résultats**" in raw(MALI)
    for name in (SERBIA, MALI):
        text = body(doc(name))
        for lead in re.findall(r"^\*\*(.+)\*\*\s*$", raw(name), flags=re.M):
            assert lead.strip() not in text
        assert "**" not in text


def test_checkbox_answers_keep_their_text():
    sector = next(s for s in doc(SERBIA).sections if "Which sector are you partnering" in s.heading)
    assert [p.text for p in sector.paragraphs] == ["Public Sector", "Private Sector", "Civil Society/ NGOs"]


def test_title_repeated_as_an_answer_is_dropped():
    food = doc(FOOD)
    assert raw(FOOD).count("Sustainable food waste recycling.") == 3  # title, title answer, description
    assert food.title == "Sustainable food waste recycling."
    assert all(p != food.title for p in paragraphs(food))
    assert food.sections[0].heading == "Qualitative Results of the Innovation Solution"
    youth = doc(YOUTH_PLAN)
    assert "Title" not in [s.heading.split(":")[0] for s in youth.sections]


def test_crlf_page():
    assert "\r\n" in (FIXTURES / CRLF).read_bytes().decode("utf-8")
    text = (FIXTURES / CRLF).read_bytes().decode("utf-8")  # the bytes as they are, CRs included
    document = parse_page(text, str(FIXTURES / CRLF))
    assert document.title == "Cultivando Futuro" and "\r" not in everything(document)
    assert document.countries == ["Colombia"] and document.language == "es"


# --------------------------------------------------------------------------- web pages


@pytest.mark.parametrize("name", [ESWATINI, QUITO, ALGERIA, DRONE, MEDIUM, LISTING, KAZAKHSTAN, PDF])
def test_no_navigation_in_sections(name):
    text = body(doc(name))
    for words in NAVIGATION:
        assert words not in text, f"{words!r} left in {name}"


def test_article_body_kept_and_teasers_dropped():
    eswatini = body(doc(ESWATINI))
    assert "Farming remains the backbone of Eswatini economy" in eswatini  # the first line after the breadcrumb
    assert "allow local MSMEs to grow and access traditional retail markets" in eswatini  # the last before the teasers
    assert "The UniPod Comes to Zambia" not in eswatini and "EYEP graduates" not in eswatini
    quito = body(doc(QUITO))
    assert paragraphs(doc(QUITO))[:2] == ["Fotografía: Paulina Jimenez", paragraphs(doc(QUITO))[1]]
    assert paragraphs(doc(QUITO))[1].startswith("En 2019, las sedes de PNUD y UNICEF")
    assert "Estos otros mapas no son un diagnóstico estático" in quito
    assert "A Journey with Herbalists" not in quito and "Programa de las Naciones Unidas" not in quito
    medium = body(doc(MEDIUM))
    assert "More than half of humanity now lives in cities" in medium
    assert "What we talk about when we talk about" not in medium  # "More from" teasers after the article
    assert "Press enter or click" not in medium
    kazakhstan = body(doc(KAZAKHSTAN))
    assert paragraphs(doc(KAZAKHSTAN))[0].startswith("In Kazakhstan, as in many other nations")
    assert "Standards Frameworks for digital transformation" not in kazakhstan
    assert "FEBRUARY 4, 2020" not in kazakhstan and "PDF (1MB)" not in kazakhstan


def test_titles_made_of_navigation_are_repaired():
    assert raw(ESWATINI).startswith("# Skip to main content")
    assert doc(ESWATINI).title == "A universal access to quality standards for all"
    assert raw(ALGERIA).startswith("# Aller au contenu principal")
    assert doc(ALGERIA).title == "Une transition vers une « économie verte » !"
    assert any("site navigation" in w for w in doc(ALGERIA).warnings)
    assert raw(LISTING).startswith("# Home")
    assert doc(LISTING).title == "Blog"
    assert doc(MEDIUM).title == "Cities in Motion: Reimagining Urban Innovation"
    assert doc(DRONE).title == "Drone for the Islands: Leaving no island behind"  # a good title stays
    assert not doc(DRONE).warnings


def test_web_sections_are_whole_paragraphs_of_sensible_size():
    for name in (ESWATINI, QUITO, ALGERIA, DRONE, MEDIUM, PDF):
        document = doc(name)
        sizes = [len(s.text.split()) for s in document.sections]
        assert max(sizes) <= 450, (name, sizes)
        assert len(document.sections) >= 3
        assert all(size >= 40 for size in sizes[:-1]), (name, sizes)
    headings = [s.heading for s in doc(DRONE).sections]
    assert "Theoretical evaluation" in headings and "Launching the seeds" in headings


def test_a_pdf_text_loses_no_words():
    text = raw(PDF).split("[[country:Null Island]]", 1)[1]
    before = len(text.split())
    after = sum(len(p.split()) for p in paragraphs(doc(PDF)))
    assert after >= before * 0.97, (before, after)  # only e-mail addresses and hyphen breaks go
    assert all(not s.heading for s in doc(PDF).sections)  # a PDF's short lines are not headings


# --------------------------------------------------------------------------- language


def test_language_per_document():
    expected = {
        ESWATINI: "en",
        QUITO: "es",
        ALGERIA: "fr",
        MALI: "fr",
        CRLF: "es",
        MERRY: "en",
        YOUTH_PLAN: "en",
        SERBIA: "en",
        PDF: "en",
        MEDIUM: "en",
    }
    assert {name: doc(name).language for name in expected} == expected


def test_detect_language():
    assert detect_language("") == "" and detect_language("https://www.undp.org/x 2021") == ""
    assert detect_language("Los jóvenes iniciaron el proceso de producción de otros mapas de sus barrios.") == "es"
    assert detect_language("La production annuelle des déchets devrait augmenter fortement d'ici 2050.") == "fr"
    assert detect_language("A MERRY COMMUNITY FOR ALL IS AN INITIATIVE FOR EDUCATION") == "en"


# --------------------------------------------------------------------------- errors


def test_unusable_pages_raise_parse_error():
    with pytest.raises(ParseError, match="no text"):
        parse_page(raw(EMPTY), FIXTURES / EMPTY)
    with pytest.raises(ParseError, match="story"):
        parse_page("# An interview\n\n[[type:story]]\n\n### [[0:01]] Hello?\n\nHi.\n", "Explorers_XYZ.md")
    with pytest.raises(ParseError, match="missing"):
        parse_page("# No type\n\nSome text.\n", "x.md")
    with pytest.raises(ParseError, match="no text"):
        parse_page(
            "# Only nav\n\n[[type:blog]]\n\nSkip to main content\nWHO WE ARE\nHOME\nX\nTITLE\nREAD MORE\n", "y.md"
        )


def test_damaged_pages_raise_nothing_but_parse_error():
    """Cut, shuffled and spliced copies of the fixtures (a lost "]]", a stray "[[type:blog]]", a
    READ MORE in the middle) parse or raise ParseError — never anything else, never an e-mail."""
    rng = random.Random(20251113)
    inserts = [
        "[[",
        "]]",
        "\n",
        "> ",
        "## ",
        "**",
        '<div class="group">',
        "\r",
        "READ MORE\n",
        "HOME\n",
        "# ",
        "x@y.org ",
        "[[type:blog]]\n",
        "[[country:Null Island]]\n",
        "Skip to main content\n",
    ]
    for _ in range(400):
        name = rng.choice(fixture_names())
        text = raw(name)
        choice = rng.random()
        if choice < 0.3:
            text = text[: rng.randrange(len(text))]
        elif choice < 0.55:
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines)
        else:
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(text))
                text = text[:at] + rng.choice(inserts) + text[at:]
        try:
            document = parse_page(text, name)
        except ParseError:
            continue
        assert not EMAIL.search(everything(document))


# --------------------------------------------------------------------------- the whole archive


def test_every_page_of_the_archive():
    if not ARCHIVE_PAGES.is_dir():
        pytest.skip(f"archive pages not found at {ARCHIVE_PAGES}")
    counts: Counter = Counter()
    empty: Counter = Counter()
    words: Counter = Counter()
    problems = []
    started = time.perf_counter()
    for path in sorted(ARCHIVE_PAGES.iterdir()):
        text = path.read_text("utf-8")
        kind = page_kind(text)
        if kind not in PAGE_TYPES:
            continue
        try:
            document = parse_page(text, path)
        except ParseError as error:
            assert str(error).startswith("no text after cleaning"), (path.name, error)
            empty[kind] += 1
            continue
        counts[kind] += 1
        dumped = everything(document)
        if EMAIL.search(dumped):
            problems.append((path.name, EMAIL.search(dumped).group(0)))
        for address in markers(text, "focal_point"):
            assert address not in dumped, path.name
        n = sum(len(p.text.split()) for s in document.sections for p in s.paragraphs)
        assert 1 <= n <= 150_000, (path.name, n)
        if kind in ("blog", "publications"):
            assert max(len(s.text.split()) for s in document.sections) <= 600, path.name
        assert document.title and document.title.lower() not in ("skip to main content", "home"), path.name
        assert set(document.metadata.get("sdgs", [])) <= set(SDGS), path.name
        words[kind] += n
    elapsed = time.perf_counter() - started
    print(f"\nparsed {dict(counts)}; ParseError (empty) {dict(empty)}; words {dict(words)}; {elapsed:.1f} s")
    assert not problems, problems[:5]
    total = sum(counts.values()) + sum(empty.values())
    assert total >= 9_000
    assert sum(empty.values()) <= 0.03 * total  # nothing but a title: 167 of 9,312 measured
    assert counts["solution"] > 5_500 and counts["blog"] > 1_500 and counts["learningplan"] > 1_050
    assert counts["experiment"] > 290 and counts["publications"] > 200
    assert words["publications"] > 1_000_000 and words["blog"] > 1_500_000  # 126k-word reports kept whole
