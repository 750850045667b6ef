"""The README's "Beyond the stdlib" examples run, and print what their comments say."""

import contextlib
import contextvars
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(30)

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Beyond the stdlib"
# Every extra the section must show; an example's `print(...)  # text` line says what it prints.
EXTRAS = (
    "max_pending",
    "buffersize",
    "pending_tasks",
    "running_tasks",
    "completed_tasks",
    "propagate_context",
    "report_unobserved",
    "report_unobserved_failures",
    "serialize_iterator",
    "synchronized_iterator",
    "concurrent_tee",
)
_EXPECTED = re.compile(r"^\s*print\(.*\)\s+# (?P<output>.+)$")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION + "\n")
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", _section(), flags=re.DOTALL)


def test_the_section_shows_every_extra() -> None:
    code = "\n".join(_examples())
    for name in EXTRAS:
        assert name in code, name


@pytest.mark.parametrize("example", _examples(), ids=lambda code: code.splitlines()[-1][:60])
def test_example_prints_what_it_says(example: str) -> None:
    expected = [
        match["output"] for line in example.splitlines() if (match := _EXPECTED.match(line))
    ]
    assert expected, "each example says what it prints"
    printed = io.StringIO()
    # Its own context: an example's ContextVar settings do not reach the other tests.
    with contextlib.redirect_stdout(printed):
        contextvars.copy_context().run(exec, compile(example, str(README), "exec"), {})
    assert printed.getvalue().splitlines() == expected
