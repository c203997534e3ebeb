"""The real URLs plus one view that fails, to see the styled 500 page."""

from django.urls import path

from crm.urls import urlpatterns as real_urlpatterns


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [*real_urlpatterns, path("boom/", failing_view)]
