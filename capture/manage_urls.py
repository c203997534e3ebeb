"""The Web forms pages (under /web-forms/; the public forms are under /capture/<key>/)."""

from django.urls import path

from capture import manage_views

app_name = "webforms"
urlpatterns = [
    path("", manage_views.web_form_list, name="list"),
    path("new/", manage_views.web_form_new, name="new"),
    path("<int:pk>/", manage_views.web_form_edit, name="edit"),
]
