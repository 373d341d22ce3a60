from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from initiatives.exports import urls as export_urls

# One address each: the language switch's old form, the admin, the CSV and JSON files and
# the full download (config.languages).
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include(export_urls)),
]
# The public pages and their feeds: Chinese at the root, English under /en/.
urlpatterns += i18n_patterns(
    path("", include(export_urls.pages)),
    path("", include("initiatives.urls")),
    path("", include("regions.urls")),
    prefix_default_language=False,
)

admin.site.site_header = _("地方就业举措知识库 · 管理")
admin.site.site_title = _("就业举措知识库")
admin.site.index_title = _("审核与维护")

# With DEBUG off: a database outage outside a view answers 503, anything else templates/500.html;
# under /api/ every error is JSON.
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
handler403 = "config.errors.permission_denied"
