"""French and Spanish questions → English words (rag/translate.py), offline, with the glossary."""

from __future__ import annotations

import pytest

from labstories.rag.translate import detect_language, to_english


@pytest.mark.parametrize(
    "question, language, words",
    [
        ("Comment numériser les actes de naissance ?", "fr", {"digitize", "birth"}),
        ("Comment former des agents publics à un nouveau logiciel ?", "fr", {"train", "software"}),
        (
            "¿Qué principios éticos seguir con comunidades indígenas?",
            "es",
            {"principles", "ethical", "communities", "indigenous"},
        ),
        ("¿Cómo trabajar con el gobierno local?", "es", {"government", "local"}),
    ],
)
def test_french_and_spanish_questions_are_carried_to_english(question, language, words):
    translation = to_english(question)
    assert translation.language == language
    assert words <= set(translation.text.split())


def test_english_is_left_alone():
    question = "How did labs build belonging with migrants?"
    assert detect_language(question) == "en"
    assert to_english(question).text == question
    assert detect_language("") == "en"


def test_unknown_words_pass_through_untranslated():
    translation = to_english("Comment le Sanduk a-t-il aidé les femmes ?")
    assert "sanduk" in translation.text.split() and "sanduk" in translation.unknown
    assert "women" in translation.text.split()
