"""Given a wiring module's holder, when it is called and overridden, then it builds once per
container and a test's override ends with the test."""

from __future__ import annotations

from pierre_rag.wiring import Lazy


class Counter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.builds = 0

    def __call__(self) -> str:
        self.builds += 1
        return f"{self.name}-{self.builds}"


def test_the_value_is_built_on_first_call_only() -> None:
    build = Counter("deployed")
    holder = Lazy(build)

    assert build.builds == 0
    assert (holder(), holder()) == ("deployed-1", "deployed-1")
    assert build.builds == 1


def test_an_override_builds_its_own_value_and_the_previous_one_comes_back() -> None:
    deployed, fake = Counter("deployed"), Counter("fake")
    holder = Lazy(deployed)
    holder()

    with holder.override(fake):
        assert (holder(), holder()) == ("fake-1", "fake-1")

    assert holder() == "deployed-1"
    assert deployed.builds == 1


def test_each_override_starts_afresh() -> None:
    holder = Lazy(Counter("deployed"))
    fake = Counter("fake")

    for expected in ("fake-1", "fake-2"):
        with holder.override(fake):
            assert holder() == expected
