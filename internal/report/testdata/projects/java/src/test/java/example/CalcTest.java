package example;

import static org.junit.Assert.assertEquals;

import org.junit.Ignore;
import org.junit.Test;

/** JUnit 4 tests: passing, failing, erroring and ignored. */
public class CalcTest {
    @Test public void adds() { assertEquals(5, Calc.add(2, 3)); }

    @Test public void divides() { assertEquals(3, Calc.div(7, 2)); }

    @Test public void divideByZero() { Calc.div(1, 0); }

    @Ignore("not written yet") @Test public void later() {}
}
