"""Passing, failing, erroring, skipped, xfail and xpass tests for pytest's JUnit XML."""
import pytest


def div(a, b):
    return -(-a // b)  # rounds up: the bug the tests find


def test_adds():
    assert 1 + 2 == 3


def test_divides():
    assert div(7, 2) == 3


@pytest.fixture
def database():
    raise ConnectionError("database unreachable")


def test_uses_database(database):
    assert database


@pytest.mark.skip(reason="not on this platform")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert div(7, 2) == 3


@pytest.mark.xfail(reason="was a bug", strict=True)
def test_fixed_bug():
    assert div(6, 2) == 3


@pytest.mark.parametrize("a,b,q", [(6, 2, 3), (7, 2, 3)])
def test_table(a, b, q):
    assert div(a, b) == q


def test_prints(capsys):
    print("some output")
    assert True


@pytest.fixture
def leaky():
    yield 1
    raise RuntimeError("cleanup failed")


def test_fails_and_leaks(leaky):
    assert leaky == 2
