"""What we say about a code, then CMS's official text: one block, on the code's page and in the results.

Written as string formats, not a template: a bill's results show it for every code, and Django's
template engine spent more time on it than code finding spends on a line. Every value from the
database goes through `escape` (html.escape, as Django's escape does); only our own markup does not.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def explanation(explained):
    """The block for a knowledge.CodeExplanation."""
    return mark_safe(explanation_html(explained, get_language()))  # noqa: S308 every value is escaped


def explanation_html(explained, language):
    """The block in the active language, `language` (the page's)."""
    parts = []
    if explained.explanation:
        # Our words may be in English on a Spanish page: say so, and tell screen readers with lang.
        other = explained.explanation_language if explained.explanation_language != language else ""
        lang = f' lang="{escape(other)}"' if other else ""
        parts.append(f'<p class="plain"{lang}>{escape(explained.explanation)}</p>')
        if other:
            note = _("We have not written this explanation in Spanish yet, so it is shown in English.")
            parts.append(f'<p class="official-note">{escape(note)}</p>')
    if explained.description:
        # (No gettext inside f-strings: makemessages cannot see it there.)
        label = escape(_("Official CMS description"))
        in_english = " (" + escape(_("in English")) + ")" if language != "en" else ""
        release = ""
        if explained.release:
            release = ", " + escape(_("from the file %(release)s") % {"release": explained.release})
        parts.append(
            f'<p class="official"><span class="label">{label}</span>'
            f'{in_english}{release}: <span lang="en">{escape(explained.description)}</span></p>'
        )
    return "\n".join(parts)
