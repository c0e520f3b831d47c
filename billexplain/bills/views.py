from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from billexplain.bills import report, uploads
from billexplain.bills.explain import BillError, explain_file, explain_text
from billexplain.bills.forms import BillForm, too_large_message
from billexplain.bills.limits import rate_limited
from billexplain.coding import knowledge


def too_many(request, retry_after=None):
    """Over the rate limit: the form again, the patient's text kept, and a kind word on when to try again.

    Without JavaScript the whole page comes back with status 429; for htmx the results region with
    status 200 (htmx 2 does not swap a 4xx body), both with Retry-After.
    """
    context = {"form": BillForm(initial={"text": request.POST.get("text", "")}), "too_many": True}
    if request.htmx:
        response = render(request, "bills/home.html#results", context)
    else:
        response = render(
            request, "bills/home.html", {**context, "faq": knowledge.faq(request.LANGUAGE_CODE)}, status=429
        )
    if retry_after is not None:
        response["Retry-After"] = str(int(retry_after))
    return response


@require_http_methods(["GET", "POST"])
@never_cache  # the answer may hold a bill: no browser or proxy cache keeps it
@rate_limited(too_many)
def home(request):
    explanation, problem = None, None
    form = BillForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and uploads.too_large(request):
        problem = too_large_message()
    elif request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            if upload:
                explanation = explain_file(upload.name, upload.read(), language=request.LANGUAGE_CODE)
            else:
                explanation = explain_text(form.cleaned_data["text"], language=request.LANGUAGE_CODE)
        except BillError as error:
            problem = str(error)
    context = {"form": form, "report": report.build(explanation) if explanation else None, "problem": problem}
    if request.htmx:  # only the results region: no FAQ to look up
        return render(request, "bills/home.html#results", context)
    return render(request, "bills/home.html", {**context, "faq": knowledge.faq(request.LANGUAGE_CODE)})


@require_GET
def healthz(request):
    """For load balancers: the app answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
