from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("initiatives.exports.urls")),
    path("", include("initiatives.urls")),
    path("", include("regions.urls")),
]

admin.site.site_header = _("地方就业举措知识库 · 管理")
admin.site.site_title = _("就业举措知识库")
admin.site.index_title = _("审核与维护")

# With DEBUG off: a database outage outside a view answers 503, anything else templates/500.html;
# under /api/ every error is JSON.
handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
handler403 = "config.errors.permission_denied"
