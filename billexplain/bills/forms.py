from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy


def too_large_message():
    limit = settings.BILL_UPLOAD_MAX_BYTES // (1024 * 1024)
    return gettext("This file is too large. We read files of up to %(limit)s MB.") % {"limit": limit}


class BillForm(forms.Form):
    """Pasted text or a file: exactly one of them."""

    text = forms.CharField(
        label=gettext_lazy("Paste the text of your bill"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Or choose a PDF of your bill"),
        required=False,
        # Phones offer their camera for these; what a file is, its own bytes decide, not this list.
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.txt,.jpg,.jpeg,.png,.tif,.tiff,.webp,.heic,.heif,application/pdf,text/plain,"
                "image/jpeg,image/png,image/tiff,image/webp,image/heic,image/heif"
            }
        ),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text) > settings.BILL_TEXT_MAX_CHARS:
            raise forms.ValidationError(
                gettext("This text is too long. We read up to %(limit)s characters.")
                % {"limit": number_format(settings.BILL_TEXT_MAX_CHARS, force_grouping=True)}
            )
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > settings.BILL_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        return upload

    def clean(self):
        cleaned = super().clean()
        has_text = bool((cleaned.get("text") or "").strip())
        has_file = bool(cleaned.get("file"))
        if not self.errors and has_text == has_file:
            raise forms.ValidationError(
                gettext("Please paste your bill or choose a file, not both.")
                if has_text
                else gettext("Please paste the text of your bill, or choose a PDF.")
            )
        return cleaned
