from django.urls import path

from activities import merge_views, views

app_name = "activities"
urlpatterns = [
    path("mine/", views.my_activities, name="mine"),
    path("timeline/<str:model_label>/<int:object_id>/", views.timeline, name="timeline"),
    path(
        "timeline/<str:model_label>/<int:object_id>/add/<str:kind>/",
        views.quick_add,
        name="quick_add",
    ),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/complete/", views.activity_complete, name="complete"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("inquiries/<int:pk>/resolve/", views.inquiry_resolve, name="inquiry_resolve"),
    path("inquiries/<int:pk>/cancel/", views.inquiry_cancel, name="inquiry_cancel"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/attachment/", views.attachment_download, name="attachment"),
    path("merges/<int:pk>/undo/", merge_views.undo_merge_view, name="undo_merge"),
]
