import time
def test_long_integration():
    time.sleep(30)
    assert False
def test_other():
    assert False
