import pytest
def test_1(): pass
def test_2(): pytest.exit("bail out")
def test_3(): assert False
