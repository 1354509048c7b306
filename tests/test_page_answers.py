"""What the page says, read as a person reads it: masks are not keys; words are answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrievers.answers import Said, classify
from retrievers.locate import KEY_PATTERN, key_shaped, looks_like_key
from retrievers.mailbox import Mail

MASKS = [
    "••••••••••••••••",  # sixteen bullets, as OPCO 2i's one-time page before « Afficher »
    "●●●●●●●●●●●●●●●●●●●●",
    "****************",
    "xxxxxxxxxxxxxxxxxxxx",
    "XXXXXXXXXXXXXXXXXXXX",
    "0000000000000000",  # one character repeated
    "----------------",
    "abc•••••••••••••••",  # part-masked
    "",
    "   ",
    "Clé à recopier dans le SI du CFA",  # L'Opcommerce's placeholder
    "Identifiant API CFA",  # a label's words
]
KEYS = ["T9epl6tM2uq3s0Cvlyc7craVqg1-AcL", "F4KKZLkV20jmOY7q7GqwTbfzNtnbN+RQ",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Xq7#kP2!mZ9@wL4$"]


@pytest.mark.parametrize("value", MASKS)
def test_no_mask_or_placeholder_is_ever_a_key(value: str) -> None:
    assert not looks_like_key(value)
    assert not KEY_PATTERN.match(value)
    assert not key_shaped(r"^\s*\S{12,}\s*$").match(value)  # OPCO 2i's password shape


@pytest.mark.parametrize("value", KEYS)
def test_keys_are_keys(value: str) -> None:
    assert looks_like_key(value)
    assert key_shaped(r"^\s*\S{12,}\s*$").match(value)


@pytest.mark.parametrize(("text", "said"), [
    ("Aucune clé CFA n'a encore été générée pour votre organisme.", Said.NO_KEY),
    ("Vous n'avez pas encore de clé : générez-la ci-dessous.", Said.NO_KEY),
    ("Clé non encore générée", Said.NO_KEY),
    ("Aucun identifiant généré", Said.NO_KEY),
    ("Votre clé CFA a expiré le 03/02/2026. Veuillez générer une nouvelle clé.", Said.EXPIRED),
    ("Cette clé n'est plus valide.", Said.EXPIRED),
    ("Seul le siège social peut générer un identifiant API CFA.", Said.REFUSED),
    ("Service momentanément indisponible, veuillez réessayer plus tard.", Said.UNAVAILABLE),
    ("Une erreur inattendue s'est produite (code 7).", Said.UNKNOWN),
])
def test_the_page_s_words_are_sorted_into_answers(text: str, said: Said) -> None:
    assert classify(text).said is said


def test_an_expiry_answer_carries_its_date() -> None:
    answer = classify("Votre clé a expiré le 03/02/2026 ; générez une nouvelle clé.")
    assert answer.expired_on is not None
    assert (answer.expired_on.year, answer.expired_on.month, answer.expired_on.day) == \
        (2026, 2, 3)


def test_the_key_of_a_mail_is_read_by_the_seed_s_word_then_by_its_shape() -> None:
    from flows.constructys import ANY_KEY, KEY

    def mail(body: str) -> Mail:
        return Mail(uid="1", message_id="<m@x>", sender="s", reply_to="s", subject="x",
                    date=datetime.now(UTC), text=body)

    said = mail("Bonjour,\nVotre clé d'identification : Zx81kQ0pLm27TyWv\nCordialement")
    assert said.value_after(KEY) == "Zx81kQ0pLm27TyWv"
    other = mail("voici la clé à recopier dans votre SI.\n\nAPI key: Zx81kQ0pLm27TyWv\n")
    assert other.value_after(KEY) is None and other.value_after(ANY_KEY) == "Zx81kQ0pLm27TyWv"
    masked = mail("Clé d'identification : ••••••••••••••••\n")
    assert masked.value_after(KEY) is None
