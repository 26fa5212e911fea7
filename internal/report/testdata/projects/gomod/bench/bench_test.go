package bench

import "testing"

func BenchmarkSum(b *testing.B) {
	xs := []int{1, 2, 3, 4}
	for b.Loop() {
		Sum(xs)
	}
}

func BenchmarkSumEmpty(b *testing.B) {
	for b.Loop() {
		Sum(nil)
	}
}
