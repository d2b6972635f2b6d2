from __future__ import annotations

import pytest

from gateway.access_tokens import REJECTED_MESSAGE, RejectReason, TokenRejected
from tests.unit.gateway.access_tokens.forge import AUDIENCE, Rig


@pytest.fixture
def rig() -> Rig:
    return Rig.build()


def refused(rig: Rig, token: object, audience: str = AUDIENCE) -> TokenRejected:
    """The one plain refusal: same type, same message, no data; returns it for its reason."""
    with pytest.raises(TokenRejected) as caught:
        rig.verify(token, audience)
    error = caught.value
    assert str(error) == REJECTED_MESSAGE
    assert error.data == {}
    assert error.code == "TOKEN_REJECTED"
    assert error.reason is not RejectReason.UNEXPECTED, "the verifier crashed on this input"
    return error
