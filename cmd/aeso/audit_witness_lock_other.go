//go:build !unix

package main

import "errors"

// lockState refuses to run where flock(2) is missing: without the lock two
// runs at once could move the state back.
func lockState(string) (func(), error) {
	return nil, errors.New("the witness needs file locks (flock), which this system lacks")
}
