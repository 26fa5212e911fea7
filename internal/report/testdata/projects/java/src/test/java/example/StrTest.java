package example;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** JUnit 4 tests that pass. */
public class StrTest {
    @Test public void upper() { assertEquals("HI", "hi".toUpperCase()); }

    @Test public void length() { assertEquals(2, "hi".length()); }
}
