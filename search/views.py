"""The results page of the search box in the header."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .forms import SearchForm


@login_required
@require_GET
def results(request):
    form = SearchForm(request.GET if "q" in request.GET else None)
    hits = None
    if form.is_valid():
        hits = selectors.search_for_user(
            user=request.user, query=form.cleaned_data["q"], kind=form.cleaned_data["kind"]
        )
    return render(request, "search/results.html", {"form": form, "hits": hits, "limit": selectors.LIMIT})
