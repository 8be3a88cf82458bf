"""The private engine that tests stop and start really goes away and comes back."""

from __future__ import annotations

import pytest

from tests import provision
from tutor.engine.connection import connect
from tutor.engine.errors import EngineUnreachable


def test_private_engine_goes_away_and_comes_back(private_engine: provision.PrivateEngine) -> None:
    env = {"DOCKER_HOST": private_engine.host}
    engine = connect(env)
    names = {tag for img in engine.client.images.list() for tag in img.tags}
    assert provision.BUSYBOX in names
    private_engine.stop()
    with pytest.raises(EngineUnreachable) as caught:
        engine.ping()
    assert private_engine.host in str(caught.value) or "answers" in str(caught.value)
    assert caught.value.hint
    private_engine.start()
    engine.ping()  # the same Engine object works again once the daemon is back
    engine.close()
