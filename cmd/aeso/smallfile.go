package main

import (
	"fmt"
	"io"
	"os"
)

// What the log's small local files may weigh: a verifier key is one line,
// a checkpoint a signed note of a few lines (as the server's answer is
// bounded, maxCheckpoint in the client).
const (
	maxKeyFile        = 4 << 10
	maxCheckpointFile = 64 << 10
)

// readSmallFile reads a file of at most limit bytes. It must be a regular
// file (after links): a FIFO or a device such as /dev/zero would block the
// command or fill its memory, and a witness holds its lock meanwhile.
func readSmallFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s holds more than %d bytes: it is not what this command reads", path, limit)
	}
	return data, nil
}
