"""Uploading a CSV of entries. The service checks the file itself (size, encoding, header, rows)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..services.imports import MAX_ROWS, MAX_UPLOAD_BYTES


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["file"].help_text = _(
            "UTF-8, columns separated by commas or semicolons, at most %(size)s and %(rows)s rows."
        ) % {"size": filesizeformat(MAX_UPLOAD_BYTES), "rows": number_format(MAX_ROWS, force_grouping=True)}
