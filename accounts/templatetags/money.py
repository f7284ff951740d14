"""`{{ value|money:organization.currency }}`: an amount of money as the page's language writes it.

Swedish "1 250,50 kr", English "SEK 1,250.50": Babel formats it from CLDR's data for the active Django
language (sv → sv_SE, en → en_GB). `format_money()` is the same for text built in Python (e-mails, the PDF,
explanations). Counts keep Django's number formatting, and exports keep plain numbers: this is for people.

Babel separates the digits from "kr" with a no-break space, so an amount never wraps across two lines. It
does not apply CLDR's currency spacing (a code such as "SEK" is kept apart from the digits, a sign such as
"€" is not), so that rule is applied here, with the same no-break space.
"""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.translation import get_language

register = template.Library()

NO_VALUE = "–"
BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
DEFAULT_LOCALE = "en_GB"
# A letter of the currency code right next to a digit, on either side ("SEK1,250.50" → "SEK 1,250.50").
_LETTER_BESIDE_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code ("sv", "en", "sv-se"); the active language by default."""
    language = (language or get_language() or "").lower().replace("_", "-").split("-")[0]
    return BABEL_LOCALES.get(language, DEFAULT_LOCALE)


def format_money(value, currency: str, language: str | None = None) -> str:
    """`value` (Decimal, int, float or a numeric string) in `currency` (ISO 4217, e.g. "SEK"); "–" for None."""
    if value is None:
        return NO_VALUE
    amount = Decimal(str(value))
    locale = babel_locale(language)
    if not currency:  # no currency known: the number alone, still with the cents
        return format_decimal(amount, format="#,##0.00", locale=locale)
    return _LETTER_BESIDE_DIGIT.sub("\u00a0", format_currency(amount, currency, locale=locale))


@register.filter
def money(value, currency: str = "") -> str:
    """`{{ line.actual|money:organization.currency }}`; an empty or non-numeric value shows as "–"."""
    if value in (None, ""):
        return NO_VALUE
    try:
        return format_money(value, currency)
    except (InvalidOperation, TypeError, ValueError):
        return NO_VALUE
