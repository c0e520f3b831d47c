from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billexplain.coding.classification import CODE_SHAPE, classify
from billexplain.coding.knowledge import explain_codes
from billexplain.coding.search import find_codes
from billexplain.i18n import say


@require_GET
def code_page(request, code):
    code = code.upper()
    classification = classify(code)
    if not CODE_SHAPE.match(code):
        raise Http404("Not a code")
    explained = (
        explain_codes([(code, None)], language=request.LANGUAGE_CODE).codes[code] if classification.valid else None
    )
    context = {"code": code, "classification": classification, "explained": explained}
    return render(request, "coding/code.html", {**context, "problem": say(classification.problem)})


@require_GET
def search(request):
    query = request.GET.get("q", "")[:100]
    results = find_codes(query, request.LANGUAGE_CODE)
    template = "coding/search.html#results" if request.htmx else "coding/search.html"
    return render(request, template, {"query": query, "results": results})
