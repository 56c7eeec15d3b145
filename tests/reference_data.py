"""Where the public reference data lives (VRP benchmarks, adoption series, channel payloads).

The canonical copy is ``../shared/data`` beside the project; a copy of the same files, unmodified,
ships in ``tests/reference_data`` (sources in its README) so a clone anywhere can run the tests.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "reference_data"
