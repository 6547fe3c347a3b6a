"""The README's Python examples run as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    for code in blocks:
        code = code.replace("t=1000.0, n_ics=5", "t=100.0, n_ics=2")  # keep the test short
        exec(compile(code, str(README), "exec"), {})
