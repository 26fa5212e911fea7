package example;

/** Calc has a deliberate bug in div so its tests fail. */
public final class Calc {
    private Calc() {}

    public static int add(int a, int b) { return a + b; }

    /** Rounds up instead of down: the bug the tests find. */
    public static int div(int a, int b) { return (a + b - 1) / b; }
}
