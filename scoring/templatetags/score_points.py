"""`{% load score_points %}{{ rule.points|signed }}`: points as the scoring pages show them,
always with their sign ("+30", "−6" with a true minus sign, "0")."""

from django import template

register = template.Library()


@register.filter
def signed(points):
    points = round(points)
    if points > 0:
        return f"+{points}"
    if points < 0:
        return f"\N{MINUS SIGN}{-points}"
    return "0"
