// Package lint holds mistakes staticcheck finds.
package lint

import (
	"io/ioutil"
	"regexp"
)

// Read uses a deprecated package.
func Read(name string) ([]byte, error) { return ioutil.ReadFile(name) }

func unusedHelper() {}

// Count assigns a value nobody reads.
func Count(xs []int) int {
	n := len(xs)
	n = 0
	for range xs {
		n++
	}
	return n
}

// Same compares a value with itself.
func Same(a int) bool { return a == a }

// Pattern has an invalid regular expression.
func Pattern() *regexp.Regexp { return regexp.MustCompile(`[a-z`) }

// Fill writes to a nil map.
func Fill() {
	var m map[string]int
	m["a"] = 1
}

// Ignored compares a value with itself, and says why that is fine.
func Ignored(a int) bool {
	//lint:ignore SA4000 kept to show an ignored finding
	return a == a
}
