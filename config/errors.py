"""Error pages (``handler400/403/404/500`` in config/urls.py).

Django calls ``server_error`` for any exception no middleware turned into a response; it
runs inside Django's ``except`` block, so ``sys.exc_info()`` still holds the error. A
database outage answers 503 (as ``DatabaseUnavailableMiddleware`` does for views), anything
else the static 500 page. Django's ``django.request`` logger has already written the stack
trace; the user sees neither trace nor message. Under /api/ every error is a JSON body
(``{"error": …, "parameters": {}}``), like the API's own 400s.
"""

import sys

from django.http import HttpResponseServerError
from django.template.loader import render_to_string
from django.views import defaults

from config.middleware import DATABASE_ERRORS, is_api, json_error, unavailable_response


def server_error(request, *args, **kwargs):
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable_response(request)
    if is_api(request):
        return json_error(500, "internal error")
    # No context, no request: the page must render with the database down.
    return HttpResponseServerError(render_to_string("500.html"))


def permission_denied(request, exception=None):
    """403 in the look of where it happened: the admin's own frame for curators, the
    site's for everyone else."""
    from django.contrib import admin
    from django.template.response import TemplateResponse
    from django.urls import reverse

    if request.path.startswith(reverse("admin:index")):
        context = admin.site.each_context(request)
        return TemplateResponse(request, "admin/403.html", context, status=403).render()
    return TemplateResponse(request, "403.html", status=403).render()


def page_not_found(request, exception, *args, **kwargs):
    if is_api(request):
        return json_error(404, "not found")
    return defaults.page_not_found(request, exception, *args, **kwargs)


def bad_request(request, exception, *args, **kwargs):
    if is_api(request):
        return json_error(400, "bad request")
    return defaults.bad_request(request, exception, *args, **kwargs)
