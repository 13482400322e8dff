"""No static file names a source map that is not there. The production storage (WhiteNoise's
``CompressedManifestStaticFilesStorage``) follows each ``sourceMappingURL`` comment and refuses the
whole collectstatic when one names a missing file — after which every HTML page is a 500 (as
when the vendored Leaflet and Bootstrap named maps that were never vendored). The deploy smoke test
(tests/test_deploy_smoke.py) runs the real collectstatic; this names the offending file in a second."""

from __future__ import annotations

import posixpath
import re

from django.contrib.staticfiles import finders

SOURCE_MAP = re.compile(rb"^[/*#@\s]*[#@]\s*sourceMappingURL=(?P<url>[^\s*]+)", re.MULTILINE)


def _static_files() -> dict[str, str]:
    """Static path → file system path, as collectstatic sees them (the first finder wins)."""
    found: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            found.setdefault(path.replace("\\", "/"), storage.path(path))
    return found


def test_every_source_map_named_by_a_static_file_exists():
    files = _static_files()
    assert "vendor/leaflet/leaflet.js" in files and "vendor/bootstrap/bootstrap.min.css" in files
    missing = []
    for path, real in files.items():
        if not path.endswith((".js", ".css")):
            continue
        with open(real, "rb") as fh:
            content = fh.read()
        for match in SOURCE_MAP.finditer(content):
            url = match.group("url").decode()
            if url.startswith(("data:", "http:", "https:", "//")):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
            if target not in files:
                missing.append(f"{path} → {target}")
    assert missing == []
