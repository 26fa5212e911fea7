//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockState takes the lock beside the state file, so that two runs at once
// cannot record their checkpoints out of order. It does not wait: a run
// that finds it taken exits 2, and the next run checks again.
func lockState(state string) (unlock func(), err error) {
	path := state + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another witness run holds %s; this one checks nothing", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil // closing the file releases the lock
}
