from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm import services
from crm.forms import ProfileForm
from crm.lib.http import safe_next


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        # The message is read on the next page, in the language just chosen (or the
        # browser's when the profile now names none).
        translation.activate(
            request.user.language or translation.get_language_from_request(request)
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    memberships = request.user.memberships.select_related("team").order_by("team__name")
    return render(request, "crm/user_profile.html", {"form": form, "memberships": memberships})


@require_http_methods(["POST"])
def set_language(request):
    """The user menu's language switcher: stored on the profile, then back to the same page."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    services.set_user_language(user=request.user, language=language)
    # Back to the page the switcher was on: its address comes as the Referer (a hidden `next`
    # would echo whatever query string the page had into every page's menu).
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("profile")
    return redirect(safe_next(request, back))


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the same signed one-time token as a password reset."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("home")
    reset_url_token = "set-password"
    post_reset_login = True
    post_reset_login_backend = "crm.backends.UserBackend"  # axes is a backend too

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Welcome! Your password is set."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled per client address (PASSWORD_RESET_RATE_LIMIT_PER_HOUR
    requests an hour, counted in the store every process shares) so it cannot be used to
    flood an inbox or probe addresses."""

    def post(self, request, *args, **kwargs):
        from crm import ratelimit

        address = ratelimit.client_ip(request)
        limit = settings.PASSWORD_RESET_RATE_LIMIT_PER_HOUR
        if ratelimit.hit(f"password-reset:{address}", limit=limit, window=3600):
            form = self.get_form()
            form.add_error(
                None,
                _("Too many password reset requests from your address. Try again in an hour."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


def permission_denied(request, exception):
    """The 403 page (settings' handler403): the reason, the way on where the refusal names
    one (a merged record's master), and back to the page the user came from."""
    back = request.headers.get("referer", "")
    if back == request.build_absolute_uri() or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    context = {
        "exception": str(exception) if exception is not None else "",
        "link_url": getattr(exception, "link_url", ""),
        "link_text": getattr(exception, "link_text", ""),
        "back": back,
    }
    return render(request, "403.html", context, status=403)
