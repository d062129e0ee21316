"""Pharmacogenomics tests: helpers that write synthetic VCFs live in pgx_vcfs.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
