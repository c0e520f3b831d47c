"""The JSON API: POST /api/explain answers with what `manage.py explain --json` prints.

For other tools, so it is CSRF-exempt. The bill lives only in this request: it is never
logged, stored or cached, and an upload is kept in memory, never in a temporary file.
Views are plain functions so rate limiting can wrap `explain`; `too_many_requests` is its answer.
"""

import json
import logging
import traceback

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from billexplain.bills import openapi
from billexplain.bills.explain import BillError, as_json, explain_file, explain_text, file_kind
from billexplain.bills.limits import rate_limited
from billexplain.bills.uploads import too_large as uploads_too_large

logger = logging.getLogger(__name__)

FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}
JSON_TYPE = "application/json"
# Room for multipart boundaries and part headers around a file of the largest size we read.
MULTIPART_OVERHEAD = 16 * 1024


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status, message, headers=None):
    """The one error shape of the API: {"error": {"status": N, "message": "..."}}."""
    return _json({"error": {"status": status, "message": message}}, status=status, headers=headers)


def too_many_requests(request=None, exception=None, retry_after=None):
    """The 429 answer for whatever limits the rate (its signature also fits django-ratelimit's RATELIMIT_VIEW)."""
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
    return error_response(429, _("Too many requests. Please wait a minute and try again."), headers)


@csrf_exempt
@rate_limited(too_many_requests)
def explain(request):
    if request.method != "POST":
        return error_response(405, _("Use POST to send a bill."), {"Allow": "POST"})
    try:
        text, name, data = _bill(request)
        language = request.LANGUAGE_CODE
        if name is None:
            explanation = explain_text(text, language=language)
        else:
            explanation = explain_file(name, data, language=language)
    except ApiError as error:
        return error_response(error.status, error.message)
    except BillError as error:
        return error_response(400, str(error))
    except Exception as error:
        # The message or a traceback's last line may quote the bill: log where it failed, not what it said.
        logger.error(
            "The API could not explain a bill (%s):\n%s",
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        return error_response(500, _("Something went wrong on our side. Please try again later."))
    return _json(as_json(explanation, name))


def schema(request):
    if request.method not in ("GET", "HEAD"):
        return error_response(405, _("Use GET to read the API description."), {"Allow": "GET, HEAD"})
    return JsonResponse(openapi.build())


def _json(data, status=200, headers=None):
    response = JsonResponse(data, status=status, headers=headers)
    response["Cache-Control"] = "no-store"
    return response


def _bill(request):
    """(text, None, None) or (None, file name, file bytes), after the checks only the API makes."""
    content_type = (request.content_type or "").lower()
    if not _content_length(request):
        # Whatever it says it is: some servers give a bodiless request a text/plain type.
        raise ApiError(400, _nothing_sent())
    if content_type == JSON_TYPE:
        text, upload = _json_text(request), None
    elif content_type in FORM_TYPES:
        text, upload = _form(request)
    else:
        raise ApiError(
            415,
            _("Send the bill as multipart/form-data, application/x-www-form-urlencoded or application/json."),
        )
    has_text = bool(text and text.strip())
    if has_text and upload:
        raise ApiError(400, _("Send the text of a bill or a file, not both."))
    if has_text:
        if len(text) > settings.BILL_TEXT_MAX_CHARS:
            raise ApiError(413, _too_long())
        return text, None, None
    if not upload:
        raise ApiError(400, _nothing_sent())
    if upload.size > settings.BILL_UPLOAD_MAX_BYTES:
        raise ApiError(413, _too_large())
    data = upload.read()
    if data and file_kind(upload.name, data) is None:
        raise ApiError(
            415,
            _("This is not a PDF, a photo (JPEG, PNG, TIFF, WEBP or HEIC) or a .txt file of a bill."),
        )
    return None, upload.name, data


def _json_text(request):
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise ApiError(413, _too_long()) from None
    except (ValueError, RecursionError):
        raise ApiError(400, _('The request body is not valid JSON. Send {"text": "..."}.')) from None
    if not isinstance(body, dict):
        raise ApiError(400, _('Send a JSON object: {"text": "..."}.'))
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise ApiError(400, _('"text" must be a string.'))
    return text


def _form(request):
    limit = settings.BILL_UPLOAD_MAX_BYTES
    if _content_length(request) > limit + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + MULTIPART_OVERHEAD:
        raise ApiError(413, _too_large())
    try:
        text = request.POST.get("text")
        uploads = request.FILES.getlist("file")
    except RequestDataTooBig:
        raise ApiError(413, _too_long()) from None
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
        raise ApiError(400, _("The form data could not be read.")) from None
    if uploads_too_large(request):
        raise ApiError(413, _too_large())
    if len(uploads) > 1:
        raise ApiError(400, _("Send one file at a time."))
    return text, uploads[0] if uploads else None


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _nothing_sent():
    return _('Send the text of a bill (a "text" field or {"text": "..."} as JSON) or a "file".')


def _too_long():
    return _("This text is too long. We read up to %(limit)s characters.") % {
        "limit": f"{settings.BILL_TEXT_MAX_CHARS:,}"
    }


def _too_large():
    return _("This file is too large. We read files of up to %(limit)s MB.") % {
        "limit": f"{settings.BILL_UPLOAD_MAX_BYTES / (1024 * 1024):g}"
    }
