"""The README's Python examples run as written, without a single warning."""

import pathlib
import re
import warnings

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    for i, code in enumerate(blocks):
        code = code.replace("t=1000.0, n_ics=5", "t=100.0, n_ics=2")  # keep the test short
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(compile(code, str(README), "exec"), {})
        shown = [f"{w.category.__name__}: {w.message}" for w in caught]
        assert not shown, f"README block {i + 1} warns: {shown}"
