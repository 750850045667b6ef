"""The futures tests share the helpers that live beside the threading tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "threading"))
