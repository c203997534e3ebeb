"""A record page's fields in a compact grid, with the empty ones behind "Show all fields".

    {% load record %}
    {% recordfields %}
      {% fieldgrid _("Contact") testid="contact-section" %}
        {% field _("E-mail") %}{% if lead.email %}<a href="mailto:…">…</a>{% endif %}{% endfield %}
        …
      {% endfieldgrid %}
    {% endrecordfields %}

A field whose content renders to nothing (whitespace aside) is empty: it shows "—" and is
hidden until the reader ticks "Show all fields" (a checkbox read by CSS, so it works without
JavaScript); a section whose fields are all empty hides its heading too. `{% field … wide %}`
spans both columns (an address, a description); `testid="…"` goes on the value."""

from dataclasses import dataclass

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_FIELDS = "_record_fields"
_EMPTY_COUNT = "_record_empty_count"


@dataclass
class Field:
    label: str
    value: SafeString
    testid: str
    wide: bool

    @property
    def empty(self):
        return not self.value


def _options(parser, bits):
    """The tag's label (a filter expression) and its keyword options."""
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a label")
    label = parser.compile_filter(bits[1])
    testid, wide = None, False
    for bit in bits[2:]:
        if bit == "wide":
            wide = True
        elif bit.startswith("testid="):
            testid = parser.compile_filter(bit.removeprefix("testid="))
        else:
            raise template.TemplateSyntaxError(f"{bits[0]}: unknown option {bit!r}")
    return label, testid, wide


class FieldNode(template.Node):
    def __init__(self, label, testid, wide, nodelist):
        self.label, self.testid, self.wide, self.nodelist = label, testid, wide, nodelist

    def render(self, context):
        fields = context.get(_FIELDS)
        if fields is None:
            raise template.TemplateSyntaxError("{% field %} belongs inside {% fieldgrid %}")
        fields.append(
            Field(
                label=self.label.resolve(context),
                value=mark_safe(self.nodelist.render(context).strip()),
                testid=self.testid.resolve(context) if self.testid else "",
                wide=self.wide,
            )
        )
        return ""


class FieldGridNode(template.Node):
    def __init__(self, title, testid, nodelist):
        self.title, self.testid, self.nodelist = title, testid, nodelist

    def render(self, context):
        fields = []
        with context.push(**{_FIELDS: fields}):
            self.nodelist.render(context)
        empty = sum(field.empty for field in fields)
        counter = context.get(_EMPTY_COUNT)
        if counter is not None:
            counter.append(empty)
        return render_to_string(
            "crm/record/_field_grid.html",
            {
                "title": self.title.resolve(context),
                "testid": self.testid.resolve(context) if self.testid else "",
                "fields": fields,
                "all_empty": bool(fields) and empty == len(fields),
            },
        )


class RecordFieldsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        counts = []
        with context.push(**{_EMPTY_COUNT: counts}):
            content = self.nodelist.render(context)
        return render_to_string(
            "crm/record/_fields.html", {"content": mark_safe(content), "empty": sum(counts)}
        )


@register.tag("field")
def do_field(parser, token):
    label, testid, wide = _options(parser, token.split_contents())
    nodelist = parser.parse(("endfield",))
    parser.delete_first_token()
    return FieldNode(label, testid, wide, nodelist)


@register.tag("fieldgrid")
def do_fieldgrid(parser, token):
    title, testid, wide = _options(parser, token.split_contents())
    if wide:
        raise template.TemplateSyntaxError("fieldgrid has no 'wide' option")
    nodelist = parser.parse(("endfieldgrid",))
    parser.delete_first_token()
    return FieldGridNode(title, testid, nodelist)


@register.tag("recordfields")
def do_recordfields(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("recordfields takes no arguments")
    nodelist = parser.parse(("endrecordfields",))
    parser.delete_first_token()
    return RecordFieldsNode(nodelist)
