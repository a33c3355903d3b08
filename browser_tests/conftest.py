"""A real JupyterLab on 127.0.0.1 with an isolated configuration, driven by headless Chromium (Playwright)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
SETTINGS = {
    # no news popup, no update check, and never write a notebook back to disk
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVED = ("notebooks", "slides")  # the folders a learner and a teacher open in JupyterLab


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """Start JupyterLab on a copy of notebooks/ and slides/ and yield its base URL and token; stop it by its PID."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM.")
    home = tmp_path_factory.mktemp("lab")
    served = home / "course"
    for folder in SERVED:
        shutil.copytree(ROOT / folder, served / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = home / "settings"
    for name, value in SETTINGS.items():
        plugin, file = name.split("/", 1)[0], name.split("/", 1)[1]
        target = settings / plugin / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython")}
    port, token = _free_port(), secrets.token_hex(16)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError as err:
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = (home / "server.log").read_text()[-3000:]
                    raise RuntimeError(f"JupyterLab did not start:\n{tail}") from err
                time.sleep(0.5)
        yield {"base": base, "token": token, "log": home / "server.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


SLIDE_HEIGHTS: dict[str, tuple[float, str]] = {}  # deck -> (its tallest slide's height in px, that slide's title)


def pytest_terminal_summary(terminalreporter):
    """The tallest slide of each deck walked in RISE (test_slides_fit_a_projector.py), also in test-artifacts/."""
    if not SLIDE_HEIGHTS:
        return
    lines = [f"{deck}: tallest slide {height:.0f} px of 720 ({title})" for deck, (height, title) in
             sorted(SLIDE_HEIGHTS.items())]
    terminalreporter.write_sep("-", "RISE at 1280x720: the tallest slide of each deck")
    for line in lines:
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slide_heights.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
