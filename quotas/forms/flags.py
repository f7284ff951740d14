"""The forms on a flag: acknowledging it (with a comment) and writing in its thread.

No choice fields: the flag comes from the URL through a selector. The service decides whether a comment is
required (results below the minimum) and who may write.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..services.flags import COMMENT_MAX


class FlagAcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization


class FlagCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something first.")},
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
