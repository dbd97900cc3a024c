"""Render the kortlægning report of the shipped corpus in headless Chromium and keep a screenshot.

Runs ``temaer analyse`` on the corpus (or uses ``--report`` if given), opens ``rapport.html`` in
Debian's ``chromium`` (headless, no network), fails if the page logs anything to the console
(errors included), saves ``evaluation/report_screenshot.png`` and checks the Excel workbook's sheets.
Run: ``uv run python evaluation/report_screenshot.py [--report DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", type=Path, help="an existing analyse output folder")
    ap.add_argument("--png", type=Path, default=ROOT / "evaluation" / "report_screenshot.png")
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        print("Debian chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = args.report
        if report is None:
            report = Path(tmp) / "rapport"
            subprocess.run(["temaer", "analyse", str(ROOT / "corpus" / "transcripts"), "--metadata",
                            str(ROOT / "corpus" / "metadata.csv"), "--out", str(report)], check=True)
        html = report / "rapport.html"
        proc = subprocess.run([chromium, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                               f"--screenshot={args.png}", "--window-size=1280,2400", html.as_uri()],
                              capture_output=True, text=True, timeout=300)
        console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
        wb = openpyxl.load_workbook(report / "rapport.xlsx", read_only=True)
        print(f"report: {html.stat().st_size / 2**20:.1f} MiB HTML; workbook sheets: {', '.join(wb.sheetnames)}")
    print(f"screenshot: {args.png.relative_to(ROOT)} ({args.png.stat().st_size // 1024} KiB)")
    print(f"console messages: {len(console)}")
    for line in console:
        print("  ", line[:300])
    return 1 if console or not args.png.exists() else 0


if __name__ == "__main__":
    raise SystemExit(main())
