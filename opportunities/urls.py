from django.urls import path

from crm.history_views import history_view
from opportunities import board, views
from opportunities.models import Opportunity

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("board/", board.opportunity_board, name="board"),
    path("new/", views.opportunity_create, name="create"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path(
        "<int:pk>/history/",
        history_view(Opportunity, detail_url="opportunities:detail"),
        name="history",
    ),
    path("<int:pk>/close/", views.opportunity_close, name="close"),
    path("<int:pk>/stage/", views.opportunity_set_stage, name="set_stage"),
    path("<int:pk>/reopen/", views.opportunity_reopen, name="reopen"),
    path("<int:pk>/delete/", views.opportunity_delete, name="delete"),
]
