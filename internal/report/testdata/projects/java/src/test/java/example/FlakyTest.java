package example;

import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** A test that fails on its first run and passes when rerun. */
public class FlakyTest {
    private static int runs;

    @Test public void secondTimeLucky() {
        runs++;
        assertTrue("first run fails", runs > 1);
    }
}
