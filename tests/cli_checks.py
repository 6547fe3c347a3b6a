"""Checks shared by the command-line tests (importable from any test: tests/ is on the path)."""


def assert_one_line_error(res, *words):
    """Exit 2, a single ``error:`` line naming ``words``, no traceback."""
    text = res.output.strip()
    assert res.exit_code == 2, text
    assert "Traceback" not in text, text
    assert len(text.splitlines()) == 1, text
    assert text.startswith("error:"), text
    for word in words:
        assert str(word) in text, (word, text)
