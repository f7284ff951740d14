"""Every word a template shows is marked for translation: a test that fails on text left in English.

Each template is read with Django's own lexer; the text outside {% translate %} / {% blocktranslate %} blocks
and comments is joined (template tags and variables become a marker), HTML tags, scripts and entities are
removed, and what is left must hold no word. The attributes people read (alt, title, placeholder, aria-label)
are checked the same way.
"""

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Words that are the same in every language: the product's name and language names shown in their own tongue.
NOT_TRANSLATED = {"SalesQuota", "English", "Svenska"}

MARKER = "\x00"
WORD = re.compile(r"[^\W\d_]{2,}")
TAG = re.compile(r"<[^>]*>", re.S)
# Code and sample data (a CSV header, a curl call, an example row) are the same in every language.
SKIPPED_ELEMENTS = re.compile(r"<(script|style|pre|code|samp)\b.*?</\1>|<!--.*?-->", re.S | re.I)
ENTITY = re.compile(r"&#?\w+;")
READ_ATTRIBUTES = re.compile(r"""\b(?:alt|title|placeholder|aria-label)\s*=\s*(["'])(.*?)\1""", re.S | re.I)
SKIP_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"})


def visible_text(source: str) -> str:
    """The template's literal text outside translation blocks and comments; tags and variables as MARKER."""
    parts, closing = [], None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.BLOCK and token.contents.split()[0] in SKIP_BLOCKS:
            closing = SKIP_BLOCKS[token.contents.split()[0]]
        elif token.token_type == TokenType.BLOCK and re.fullmatch(r"block \w+_class", token.contents):
            closing = "endblock"  # {% block main_class %}narrow{% endblock %}: a CSS class, not text
        elif token.token_type != TokenType.COMMENT:
            parts.append(MARKER)
    return "".join(parts)


def untranslated_words(source: str) -> list[str]:
    text = SKIPPED_ELEMENTS.sub(" ", visible_text(source))
    attributes = [value for _quote, value in READ_ATTRIBUTES.findall(text)]
    shown = ENTITY.sub(" ", TAG.sub(" ", text))
    words = [word for chunk in [shown, *attributes] for word in WORD.findall(chunk.replace(MARKER, " "))]
    return [word for word in words if word not in NOT_TRANSLATED]


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_template_text_is_marked_for_translation(path):
    assert untranslated_words(path.read_text()) == []


def test_the_check_finds_unmarked_text():
    assert untranslated_words('<p>{% translate "Saved" %}</p><p>Not saved</p>') == ["Not", "saved"]
    assert untranslated_words('<img alt="Bar chart" src="x.png">') == ["Bar", "chart"]
    assert untranslated_words('{% blocktranslate %}All {{ n }} done{% endblocktranslate %}<b>{{ x }}</b>') == []
    assert untranslated_words('<input {% if on %}checked{% endif %} type="checkbox">') == []
    assert untranslated_words('{% block main_class %}narrow{% endblock %}<pre>curl -H x</pre>') == []
