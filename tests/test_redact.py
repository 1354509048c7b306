"""The one redactor, at the size of a thousand-account run."""

from __future__ import annotations

import secrets

from retrievers.redact import MASK, Redactor


def test_every_secret_is_masked_however_many_it_knows() -> None:
    redactor = Redactor()
    keys = [secrets.token_urlsafe(24) for _ in range(3000)]
    for i, key in enumerate(keys):
        redactor.add(key)
        if i % 500 == 0:  # learnt between lines, as keys are read during a run
            assert redactor(f"read {key}.") == f"read {MASK}."
    line = " ".join(keys[::300]) + " ok"
    assert redactor(line) == " ".join([MASK] * 10) + " ok"
    assert not any(key in redactor(line) for key in keys)
    assert redactor("an ordinary line") == "an ordinary line"


def test_overlapping_and_encoded_secrets_leave_no_piece_showing() -> None:
    redactor = Redactor()
    redactor.add("abcd1234", "1234wxyz", "p@ss w+rd")
    assert redactor("-abcd1234wxyz-") == f"-{MASK}-"
    assert redactor("pw=p%40ss+w%2Brd&x=p%40ss%20w%2Brd") == f"pw={MASK}&x={MASK}"
    assert redactor.contains_secret(["nothing", "…1234wxyz"])
    assert not redactor.contains_secret(["abcd123"])
    redactor.add("abc", None, "")  # too short to mask ordinary words: ignored
    assert redactor("abc") == "abc"
