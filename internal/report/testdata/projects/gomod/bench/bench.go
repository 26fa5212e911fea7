// Package bench has benchmarks and no tests.
package bench

// Sum adds up xs.
func Sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
