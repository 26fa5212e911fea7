package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JUnit 5 tests: passing, failing, erroring, disabled, aborted, nested, parameterized. */
class CalcJupiterTest {
    @Test void adds() { assertEquals(5, Calc.add(2, 3)); }

    @Test @DisplayName("divides 7 by 2") void divides() { assertEquals(3, Calc.div(7, 2)); }

    @Test void divideByZero() { Calc.div(1, 0); }

    @Test @Disabled("not written yet") void later() {}

    @Test void onlyOnFriday() { assumeTrue(false, "not Friday"); }

    @ParameterizedTest @CsvSource({"6,2,3", "7,2,3"})
    void table(int a, int b, int q) { assertEquals(q, Calc.div(a, b)); }

    @Nested class Adding {
        @Test void zero() { assertEquals(2, Calc.add(2, 0)); }
    }
}
