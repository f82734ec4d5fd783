"""`streamlit run app.py` (through scripts/asgi_app.py), with the app's libraries loaded before
the server listens.

Importing pandas, plotly and yfinance and building the first figures takes about 1 s here
(4 s when Python has to compile them from source: `make env` compiles their bytecode).
Done before the port opens, the first visitor after a (re)start does not wait for it, and a
health check that passes means the app is ready. Arguments are `streamlit run`'s flags:

    python scripts/serve.py --server.port 8501
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def preload() -> float:
    """Import lib/ and build every report figure once from the bundled snapshot; seconds taken.

    Reads data/ only (no network, no cache writes). Plotly loads each trace type's validators
    on first use, and its JSON encoder on the first figure sent, so building and encoding the
    figures is part of the warm-up, not only the imports.
    """
    start = time.perf_counter()
    from lib import figures, prices, report, settings

    result = prices.get_prices(list(prices.CORE_SYMBOLS), offline=True)
    saved = [("Warm-up", settings.default_scenario())]  # so the comparison is built too
    items, _ = report.report_items(result.frame, result.provenance, settings.default_scenario(),
                                   saved, date.today())
    for _, fig, _ in items:
        figures.figure_json(fig)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    try:
        print(f"Loaded the app's libraries in {preload():.1f} s", flush=True)
    except Exception as exc:  # noqa: BLE001 - the app shows data problems itself; still serve
        print(f"Warm-up skipped ({type(exc).__name__}: {exc}); starting anyway", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "scripts" / "asgi_app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
