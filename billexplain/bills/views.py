from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from billexplain.bills import report, uploads
from billexplain.bills.explain import BillError, explain_file, explain_text
from billexplain.bills.forms import BillForm, too_large_message
from billexplain.coding import knowledge


@require_http_methods(["GET", "POST"])
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
    context = {
        "form": form,
        "report": report.build(explanation) if explanation else None,
        "problem": problem,
        "faq": knowledge.faq(request.LANGUAGE_CODE),
    }
    template = "bills/home.html#results" if request.htmx else "bills/home.html"
    return render(request, template, context)


@require_GET
def healthz(request):
    """For load balancers: the app answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
