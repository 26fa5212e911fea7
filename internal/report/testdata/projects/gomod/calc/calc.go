// Package calc has a deliberate bug in Div so its tests fail.
package calc

// Add returns a + b.
func Add(a, b int) int { return a + b }

// Div rounds up instead of down: the bug the tests find.
func Div(a, b int) int { return (a + b - 1) / b }
