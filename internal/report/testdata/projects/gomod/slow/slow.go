// Package slow has a test that never finishes, to show how a test
// timeout looks in a report.
package slow

// Wait blocks until ch is closed.
func Wait(ch chan struct{}) { <-ch }
