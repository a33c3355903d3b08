#!/usr/bin/env python3
"""Render every notebook, with its saved outputs and widget state, into an offline static site in site/, and every
slide deck (slides/) as reveal.js slides in site/slides/: the classroom edition without a kernel.

Usage: python -m tools.build_site [--out site]
The JavaScript that the pages need (widget renderer, require.js, MathJax 2, reveal.js) is fetched once from the npm
registry into build/vendor/ and copied beside the pages, so the site works with no network and no CDN.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from tools import decks

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "build" / "vendor"
PACKAGES = {"html-manager": "@jupyter-widgets/html-manager@1.0.15", "requirejs": "requirejs@2.3.8",
            "mathjax": "mathjax@2.7.9", "reveal": "reveal.js@4.0.2",  # reveal.js: the version nbconvert's template uses
            "jquery": "jquery@3.7.1"}  # nbconvert's slides template loads jQuery
# nbconvert's slides template also imports mermaid (diagrams) from a CDN on every page, as an ES module, which a
# browser does not load from a file:// page. The course has no mermaid diagram: the pages import a stand-in that
# does nothing, written into the page itself.
MERMAID_STANDIN = "data:text/javascript,export default {initialize() {}};"
# reveal's "white" theme: its font ships with reveal.js ("simple", the default, asks Google for its fonts).
REVEAL_THEME = "white"
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"


def vendor(name: str) -> Path:
    """The unpacked npm package `name` under build/vendor/ (downloaded with `npm pack` the first time)."""
    target = VENDOR / name
    if (target / "package.json").is_file():
        return target
    VENDOR.mkdir(parents=True, exist_ok=True)
    if shutil.which("npm") is None:
        sys.exit(f"error: npm is needed once to fetch {PACKAGES[name]} into {VENDOR}")
    out = subprocess.run(["npm", "pack", PACKAGES[name], "--json"], cwd=VENDOR, check=True,
                         capture_output=True, text=True).stdout
    tarball = VENDOR / json.loads(out)[0]["filename"]
    tmp = VENDOR / f"{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp, filter="data")
    (tmp / "package").rename(target)
    tmp.rmdir()
    tarball.unlink()
    return target


def copy_assets(static: Path) -> None:
    """Copy the widget renderer, require.js and MathJax (without its PNG fonts) into `static`."""
    shutil.rmtree(static, ignore_errors=True)
    shutil.copytree(vendor("html-manager") / "dist", static / "html-manager",
                    ignore=shutil.ignore_patterns("*.map"))
    static.joinpath("require.js").write_bytes((vendor("requirejs") / "require.js").read_bytes())
    skip = shutil.ignore_patterns("png", "otf", "eot", "svg", "unpacked", "*.md", "test")
    shutil.copytree(vendor("mathjax"), static / "mathjax", ignore=skip)
    reveal = vendor("reveal")
    shutil.copytree(reveal / "dist", static / "reveal.js" / "dist", ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copytree(reveal / "plugin" / "notes", static / "reveal.js" / "plugin" / "notes",
                    ignore=shutil.ignore_patterns("*.esm.js"))
    static.joinpath("jquery.min.js").write_bytes((vendor("jquery") / "dist" / "jquery.min.js").read_bytes())


def title_of(nb) -> str:
    """The notebook's first heading, without the leading '#'."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return "untitled"


def goals_of(nb) -> list[str]:
    """The numbered learning goals under 'What you will learn' (first markdown cell)."""
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    return [re.sub(r"[*`]", "", g).strip() for g in re.findall(r"^\d+\.\s+(.+)$", first, re.M)]


INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>convnets-lab</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 860px; margin: 2rem auto; padding: 0 1rem; color: #222; }}
li {{ margin: 0.8rem 0; }} a {{ font-size: 1.15rem; }} .goals {{ color: #555; font-size: 0.92rem; }}
</style></head><body>
<h1>convnets-lab</h1>
<p>An interactive course on convolutional neural networks with PyTorch, from a single cross-correlation to ResNet.
These pages show each notebook as it was saved, with its outputs and the last state of its explorers, and each
chapter's slide deck as a slide show (arrow keys; <kbd>S</kbd> opens the speaker notes). To drag the sliders, open
the notebooks in JupyterLab (<code>make lab</code>).</p>
<ol>
{items}
</ol>
</body></html>
"""


REQUIRE_URL = "_static/require.js"
# The widget renderer finds its icon fonts next to its modules' URLs, which require.js derives from their names
# (`@jupyter-widgets/...`): point those names at the vendored folder, or the pages ask for missing font files.
WIDGET_ASSETS = """<script>
require.config({paths: {"@jupyter-widgets": "{static}/html-manager",
                        "@jupyter-widgets/html-manager/dist": "{static}/html-manager"}});
</script>"""


def configure(exporter: HTMLExporter, static: str) -> HTMLExporter:
    """Point an exporter at the vendored assets in `static` (a URL relative to the page) and drop guard cells."""
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"checks", "maintenance"}), enabled=True)
    exporter.require_js_url = f"{static}/require.js"
    exporter.widget_renderer_url = f"{static}/html-manager/embed-amd.js"
    exporter.mathjax_url = f"{static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    return exporter


def render(exporter: HTMLExporter, path: Path, static: str) -> str:
    """One notebook as a page, with the widget renderer's assets configured."""
    nb = nbformat.read(path, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title_of(nb)}})
    tag = f'<script src="{static}/require.js"></script>'  # as nbconvert's templates write it
    if tag not in body:
        raise RuntimeError("nbconvert's template changed: could not configure the widget renderer's assets")
    return body.replace(tag, tag + WIDGET_ASSETS.replace("{static}", static), 1)


def build(out: Path) -> list[Path]:
    """Write one HTML page per notebook, one slide show per deck and an index in course order; return the pages."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out / "_static")
    pages = configure(HTMLExporter(template_name="lab"), "_static")
    slides = configure(SlidesExporter(), "../_static")
    slides.reveal_url_prefix, slides.reveal_theme = "../_static/reveal.js", REVEAL_THEME
    slides.reveal_transition = "none"
    slides.jquery_url, slides.mermaid_js_url = "../_static/jquery.min.js", MERMAID_STANDIN
    written, items = [], []
    (out / "slides").mkdir(exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        page = out / f"{path.stem}.html"
        page.write_text(render(pages, path, "_static"), encoding="utf-8")
        written.append(page)
        deck = ROOT / "slides" / path.name
        link = ""
        if deck.is_file():
            show = out / "slides" / f"{path.stem}.html"
            body = render(slides, deck, "../_static")  # the deck's link to its chapter: the chapter's page here
            body = body.replace(f'href="../notebooks/{path.name}"', f'href="../{page.name}"')
            body = body.replace("</head>", f"<style>{decks.RISE_CSS}</style>\n</head>", 1)  # as in RISE
            show.write_text(body, encoding="utf-8")
            written.append(show)
            link = f' · <a class="deck" href="slides/{show.name}">slides</a>'
        nb = nbformat.read(path, as_version=4)
        goals = "".join(f"<li>{html.escape(g)}</li>" for g in goals_of(nb))
        items.append(f'<li><a href="{page.name}">{html.escape(title_of(nb))}</a>{link}'
                     f'<ul class="goals">{goals}</ul></li>')
    (out / "index.html").write_text(INDEX.format(items="\n".join(items)), encoding="utf-8")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    args = parser.parse_args()
    pages = build(args.out)
    print(f"{len(pages)} pages and slide shows, and index.html, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
