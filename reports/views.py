from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The signed-in user's own work; each app's tile is added as the app lands."""
    memberships = request.user.memberships.filter(is_active=True, team__is_active=True)
    teams = [m.team for m in memberships.select_related("team").order_by("team__name")]
    return render(request, "reports/home.html", {"teams": teams})
