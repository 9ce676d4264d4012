"""docs/schema.md as data: the documented fields of each record kind."""
import re

from conftest import ROOT

ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|")


def documented():
    """{dataset: {field path: (type, presence)}} from docs/schema.md."""
    res = {}
    cur = None
    for line in (ROOT / "docs" / "schema.md").read_text().splitlines():
        m = re.match(r"^## (\S+)", line)
        if m:
            cur = m.group(1)
            continue
        m = ROW.match(line)
        if m and cur:
            res.setdefault(cur, {})[m.group(1)] = (m.group(2), m.group(3))
    return res


def anomaly_names(section="SMTP anomalies"):
    """The names listed under "### <section>" in docs/schema.md."""
    names = set()
    inside = False
    for line in (ROOT / "docs" / "schema.md").read_text().splitlines():
        if line.startswith("#"):
            inside = line.strip() == "### " + section
            continue
        m = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|", line)
        if inside and m:
            names.add(m.group(1))
    return names


def flatten(obj, prefix=""):
    """Dotted paths of a record with their values; arrays of objects use []."""
    out = {}
    for k, v in obj.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, path + "."))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            out[path] = v
            for x in v:
                out.update(flatten(x, path + "[]."))
        else:
            out[path] = v
    return out


TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def type_ok(kind, value):
    if kind == "string":
        return isinstance(value, str)
    if kind == "time":
        return isinstance(value, str) and TIME.match(value) is not None
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string[]":
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    if kind == "integer[]":
        return isinstance(value, list) and all(
            isinstance(x, int) and not isinstance(x, bool) for x in value)
    if kind == "object[]":
        return isinstance(value, list) and all(isinstance(x, dict) for x in value)
    raise AssertionError(f"docs/schema.md uses an unknown type {kind!r}")
