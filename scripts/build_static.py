#!/usr/bin/env python3
"""Copy the front-end files Sunlit serves from node_modules into build/static/vendor/.

Run after `npm ci`:  .venv/bin/python scripts/build_static.py

Only the few distribution files the pages load are copied (with their licences), so
collectstatic and the wheel stay small and the server never reaches a CDN: village
networks are slow and sometimes cut off from the wider internet.

The installed version of every package must equal the one pinned in package-lock.json;
a stale or missing node_modules stops the build with a message saying what to run,
rather than quietly serving something nobody reviewed.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LOCK = ROOT / "package-lock.json"
OUT = ROOT / "build" / "static" / "vendor"

# npm package -> (folder under vendor/, files to copy relative to the package).
VENDOR: dict[str, tuple[str, list[str]]] = {
    "htmx.org": ("htmx", ["dist/htmx.min.js", "LICENSE"]),
    "echarts": ("echarts", ["dist/echarts.min.js", "LICENSE", "NOTICE"]),
    "mermaid": ("mermaid", ["dist/mermaid.min.js", "LICENSE"]),
    "modern-normalize": ("modern-normalize", ["modern-normalize.css", "license"]),
}


class BuildError(Exception):
    pass


def locked_versions() -> dict[str, str]:
    if not LOCK.exists():
        raise BuildError(f"{LOCK.name} is missing: it pins the front-end packages")
    packages = json.loads(LOCK.read_text(encoding="utf-8")).get("packages", {})
    versions = {}
    for name in VENDOR:
        entry = packages.get(f"node_modules/{name}")
        if not entry:
            raise BuildError(f"{name} is not in {LOCK.name}: run `npm install --save-exact {name}`")
        versions[name] = entry["version"]
    return versions


def check_installed(name: str, wanted: str) -> Path:
    package_dir = NODE_MODULES / name
    manifest = package_dir / "package.json"
    if not manifest.exists():
        raise BuildError(f"node_modules/{name} is missing: run `npm ci` first")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != wanted:
        raise BuildError(f"node_modules/{name} is {installed} but {LOCK.name} pins {wanted}: run `npm ci`")
    return package_dir


def build() -> dict[str, str]:
    if not NODE_MODULES.is_dir():
        raise BuildError("node_modules/ is missing: run `npm ci` first")
    versions = locked_versions()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and swap it in, so a failed build leaves the old one intact
    # and a file dropped from VENDOR does not linger in vendor/.
    staging = Path(tempfile.mkdtemp(prefix="vendor-", dir=OUT.parent))
    try:
        for name, (folder, files) in VENDOR.items():
            package_dir = check_installed(name, versions[name])
            target = staging / folder
            target.mkdir(parents=True)
            for relative in files:
                source = package_dir / relative
                if not source.is_file():
                    raise BuildError(f"{name} {versions[name]} has no {relative}")
                shutil.copy2(source, target / Path(relative).name)
        (staging / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if OUT.exists():
            shutil.rmtree(OUT)
        staging.rename(OUT)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return versions


def main() -> int:
    try:
        versions = build()
    except BuildError as e:
        print(f"build_static: {e}", file=sys.stderr)
        return 1
    for name, version in sorted(versions.items()):
        print(f"build_static: {name} {version} -> {OUT.relative_to(ROOT) / VENDOR[name][0]}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
