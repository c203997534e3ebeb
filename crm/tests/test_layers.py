"""The layers: an app may use only the apps below it (docs/architecture.md).

Walks every project app in INSTALLED_APPS: each Python module outside `migrations/` and
`tests/` (every `import` / `from ... import` at any depth, `_meta` reaching a related model,
string literals naming an app's URL), and every template under `templates/<app>/`
(`{% load %}` libraries and `{% url 'namespace:...' %}` links, `admin:<app label>_...`
included). An arrow from a lower app to a higher one fails, naming the file and line. Apps of
one layer may use each other only through an edge declared in `crm.layers.SIBLING_EDGES`.

The project shell (`crm/urls.py`, `crm/settings.py`, `crm/asgi.py`, `crm/wsgi.py`, the map
of the layers `crm/layers.py`, and the templates at the top of `templates/`: the base page
and its menu) wires every app together and sits above them all.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

from crm.layers import LABEL_REFERENCES, LAYERS, SIBLING_EDGES

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
SHELL_MODULES = {"crm/urls.py", "crm/settings.py", "crm/asgi.py", "crm/wsgi.py", "crm/layers.py"}
SHELL = "<project>"

LOAD_RE = re.compile(r"{%\s*load\s+([^%]*?)\s*%}")
URL_RE = re.compile(r"""{%\s*url\s+["']([\w-]+):([\w-]+)""")
ADMIN_URL_RE = re.compile(r"^([a-z0-9_]+?)_[a-z0-9]+_(changelist|add|change|delete|history)$")


def project_apps():
    """The project's app configs (those whose code lives in this repository)."""
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
        and not Path(config.path).relative_to(ROOT).parts[0].startswith(".")
    ]


def rank(app_name):
    for level, names in enumerate(LAYERS):
        if app_name in names:
            return level
    raise AssertionError(f"{app_name} is in INSTALLED_APPS but in no layer of crm.layers")


def app_of_module(module):
    """The project app (by its name) a dotted module belongs to, or None (a library)."""
    best = None
    for config in project_apps():
        if (module == config.name or module.startswith(config.name + ".")) and (
            best is None or len(config.name) > len(best)
        ):
            best = config.name
    return best


def forbidden(source, target):
    """Why `source` may not use `target` (app names), or None when it may."""
    if target is None or source in (target, SHELL):
        return None
    if target == SHELL:
        return "the project shell"
    if rank(target) < rank(source):
        return None
    if rank(target) == rank(source) and (source, target) in SIBLING_EDGES:
        return None
    if rank(target) == rank(source):
        return "a sibling app (no edge declared in crm.layers.SIBLING_EDGES)"
    return "a higher layer"


def python_files(config):
    for path in sorted(Path(config.path).rglob("*.py")):
        relative = path.relative_to(config.path).parts
        if "migrations" in relative or "tests" in relative:
            continue
        # A sub-app (leads.routing inside leads) is walked as itself.
        if any(
            other.name != config.name
            and Path(other.path).is_relative_to(config.path)
            and path.is_relative_to(other.path)
            for other in project_apps()
        ):
            continue
        yield path


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree, path):
    """(line, dotted module) for every import in the module, relative ones resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield node.lineno, module
            for alias in node.names:  # `from leads import routing` imports leads.routing
                yield node.lineno, f"{module}.{alias.name}"


def model_names(tree, path):
    """Names bound to project models in a module: imported from a models module, or defined."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            app = app_of_module(node.module)
            if app:
                for alias in node.names:
                    names[alias.asname or alias.name] = (app, alias.name)
        elif isinstance(node, ast.ClassDef):
            app = app_of_module(module_name(path))
            if app:
                names[node.name] = (app, node.name)
    return names


def meta_reaches(tree, path):
    """(line, app name) for each `X._meta.get_field("f").related_model` and
    `X._meta.related_objects`: the app of the model reached (SHELL when it cannot be told)."""
    names = model_names(tree, path)

    def model_of(node):
        if isinstance(node, ast.Name) and node.id in names:
            app, name = names[node.id]
            try:
                return apps.get_app_config(apps.get_containing_app_config(app).label).get_model(
                    name
                )
            except (LookupError, AttributeError):
                return None
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "related_objects" and _is_meta(node.value):
            yield node.lineno, SHELL  # every reverse relation, higher apps' included
        elif (
            node.attr == "related_model"
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "get_field"
            and _is_meta(node.value.func.value)
        ):
            model = model_of(node.value.func.value.value)
            field = node.value.args[0] if node.value.args else None
            if model is None or not isinstance(field, ast.Constant):
                yield node.lineno, SHELL
                continue
            try:
                related = model._meta.get_field(field.value).related_model
            except FieldDoesNotExist:
                yield node.lineno, SHELL
                continue
            yield node.lineno, related._meta.app_config.name


def _is_meta(node):
    return isinstance(node, ast.Attribute) and node.attr == "_meta"


def url_names(tree):
    """(line, namespace, name) for each string literal in a module that looks like a
    namespaced URL name ("routing:claim", "admin:routing_departinguser_changelist")."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = re.fullmatch(r"([a-z_]+):([\w-]+)", node.value)
            if match:
                yield node.lineno, match.group(1), match.group(2)


def model_labels(tree):
    """(line, app name) for each string literal naming a project model ("accounts.Account",
    as apps.get_model() and lazy relations take them)."""
    labels = {config.label: config.name for config in project_apps()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = re.fullmatch(r"([a-z_]+)\.([A-Z]\w*)", node.value)
            if match and match.group(1) in labels:
                try:
                    apps.get_model(node.value)
                except LookupError:
                    continue
                yield node.lineno, labels[match.group(1)], node.value


def url_target(namespace, url_name):
    """The app a namespaced URL name belongs to, or None (not a project app's)."""
    if namespace == "admin":
        admin = ADMIN_URL_RE.match(url_name)
        labels = {config.label: config.name for config in project_apps()}
        return labels.get(admin.group(1)) if admin else None
    return url_namespaces().get(namespace)


def template_libraries():
    """{library name: app name} for every project app's template tag library."""
    libraries = {}
    for config in project_apps():
        for path in (Path(config.path) / "templatetags").glob("*.py"):
            if path.stem != "__init__":
                libraries[path.stem] = config.name
    return libraries


def url_namespaces():
    """{namespace: app name} for every project app with a urls.py declaring app_name."""
    namespaces = {}
    for config in project_apps():
        urls = Path(config.path) / "urls.py"
        if urls.exists():
            match = re.search(r"""^app_name\s*=\s*["'](\w+)["']""", urls.read_text(), re.M)
            if match:
                namespaces[match.group(1)] = config.name
    return namespaces


def template_owner(path):
    """The app a template belongs to: templates/<app label>/..., templates/admin/<label>/...;
    the shell for the templates at the top; registration/ is the crm app's (its logins)."""
    parts = path.relative_to(TEMPLATES).parts
    if len(parts) == 1:
        return SHELL
    folder = parts[1] if parts[0] == "admin" and len(parts) > 2 else parts[0]
    if folder in ("registration", "admin"):
        return "crm"
    try:
        return apps.get_app_config(folder).name
    except LookupError:
        raise AssertionError(f"{path}: templates/{folder}/ names no installed app") from None


def template_uses(path):
    """(line, app name, what) for each library loaded and each namespaced URL in a template."""
    libraries = template_libraries()
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        for match in LOAD_RE.finditer(line):
            names = match.group(1).split()
            if "from" in names:
                names = names[names.index("from") + 1 :]
            for name in names:
                if name in libraries:
                    yield lineno, libraries[name], f"{{% load {name} %}}"
        for namespace, url_name in URL_RE.findall(line):
            target = url_target(namespace, url_name)
            if target:
                yield lineno, target, f"{{% url '{namespace}:{url_name}' %}}"


def python_arrows():
    for config in project_apps():
        for path in python_files(config):
            relative = path.relative_to(ROOT).as_posix()
            source = SHELL if relative in SHELL_MODULES else config.name
            tree = ast.parse(path.read_text(), filename=str(path))
            for lineno, module in imported_modules(tree, path):
                why = forbidden(source, app_of_module(module))
                if why:
                    yield f"{relative}:{lineno}: {source} imports {module} ({why})"
            for lineno, namespace, url_name in url_names(tree):
                target = url_target(namespace, url_name)
                why = forbidden(source, target)
                if why:
                    url = f"{namespace}:{url_name}"
                    yield f"{relative}:{lineno}: {source} names the URL {url} ({why})"
            for lineno, target, label in model_labels(tree):
                why = forbidden(source, target)
                if why and (source, label) not in LABEL_REFERENCES:
                    yield f"{relative}:{lineno}: {source} names a model of {target} ({why})"
            for lineno, target in meta_reaches(tree, path):
                why = forbidden(source, target)
                if why:
                    yield f"{relative}:{lineno}: {source} reaches {target} through _meta ({why})"


def templates():
    """(path, owning app) for the project's templates and those inside each app."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path, template_owner(path)
    for config in project_apps():
        for path in sorted((Path(config.path) / "templates").rglob("*.html")):
            yield path, config.name


def template_arrows():
    for path, source in templates():
        relative = path.relative_to(ROOT).as_posix()
        for lineno, target, what in template_uses(path):
            why = forbidden(source, target)
            if why:
                yield f"{relative}:{lineno}: {source} uses {what} of {target} ({why})"


def test_every_project_app_has_a_layer():
    for config in project_apps():
        rank(config.name)
    assert {name for layer in LAYERS for name in layer} == {c.name for c in project_apps()}


def test_declared_label_references_exist():
    """A declared reference that is gone (paid) must leave the list too."""
    for (source, label), where in LABEL_REFERENCES.items():
        path = ROOT / where.split(":")[0]
        assert f'"{label}"' in path.read_text(), (source, label, where)


def test_declared_sibling_edges_join_apps_of_one_layer():
    for source, target in SIBLING_EDGES:
        assert rank(source) == rank(target), (source, target)


def test_python_imports_point_down_the_layers():
    arrows = list(python_arrows())
    assert not arrows, "\n".join(arrows)


def test_templates_use_only_lower_apps():
    arrows = list(template_arrows())
    assert not arrows, "\n".join(arrows)


def test_a_model_named_by_its_label_is_caught():
    tree = ast.parse('LOOKUPS = {"lead": "leads.Lead", "user": "crm.User", "x": "no.Model"}\n')
    assert [app for _, app, _ in model_labels(tree)] == ["leads", "crm"]
    assert forbidden("crm", "leads")


@pytest.mark.parametrize(
    ("source", "snippet", "expected"),
    [
        ("accounts/views.py", "def f():\n    from leads.models import Lead\n", "leads.models"),
        ("leads/views.py", "from .routing import services\n", "leads.routing.services"),
        ("leads/views.py", "from leads import routing\n", "leads.routing"),
    ],
)
def test_a_back_door_import_is_caught(source, snippet, expected):
    path = ROOT / source
    tree = ast.parse(snippet)
    found = [module for _, module in imported_modules(tree, path)]
    assert expected in found
    assert forbidden(app_of_module(module_name(path)), app_of_module(expected))
