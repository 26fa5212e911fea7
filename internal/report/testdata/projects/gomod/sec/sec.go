// Package sec holds code gosec flags.
package sec

import (
	"crypto/md5"
	"os"
	"os/exec"
)

// Digest uses a weak hash.
func Digest(b []byte) [16]byte { return md5.Sum(b) }

// Run starts a command named by its caller.
func Run(name string) error { return exec.Command(name).Run() }

// Load reads a file named by its caller.
func Load(path string) ([]byte, error) { return os.ReadFile(path) }

// Checksum uses a weak hash where it does not matter.
func Checksum(b []byte) [16]byte {
	return md5.Sum(b) // #nosec G401 -- a cache key, not a security boundary
}

// Cleanup ignores an error.
func Cleanup(path string) {
	os.Remove(path)
}
