from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.forms import ProfileForm


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    memberships = request.user.memberships.select_related("team").order_by("team__name")
    return render(request, "crm/user_profile.html", {"form": form, "memberships": memberships})


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the same signed one-time token as a password reset."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("home")
    reset_url_token = "set-password"
    post_reset_login = True

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Welcome! Your password is set."))
        return response
