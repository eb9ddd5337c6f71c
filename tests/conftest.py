from __future__ import annotations

import pytest

from tests.helpers import FakeLambdaContext


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
