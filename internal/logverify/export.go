package logverify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxLeafBytes bounds one export line. A leaf travels in C2SP entry
// bundles with a 16-bit length, so no genuine leaf is longer; the bound
// keeps a corrupt file from filling memory.
const MaxLeafBytes = 1<<16 - 1

// exportReader reads an export (JSON Lines, each line exactly the leaf
// bytes) and yields leaf hashes. It does not judge the content, only hashes
// it; but it refuses line endings a tool has rewritten, which would
// otherwise read as every event altered.
type exportReader struct {
	r     *bufio.Reader
	since int64 // the seq before the first line's (0: from the first event)
	line  int64 // lines read so far
}

func newExportReader(r io.Reader, since int64) *exportReader {
	return &exportReader{r: bufio.NewReaderSize(r, 64<<10), since: since}
}

// next returns the next line's leaf bytes (valid until the following call)
// and leaf hash, or io.EOF after the last line.
func (e *exportReader) next() ([]byte, tlog.Hash, error) {
	data, err := e.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), data...)
		for errors.Is(err, bufio.ErrBufferFull) && len(long) <= MaxLeafBytes+1 {
			data, err = e.r.ReadSlice('\n')
			long = append(long, data...)
		}
		data = long
	}
	line := e.line + 1
	seq := e.since + line
	switch {
	case err == io.EOF && len(data) == 0:
		return nil, tlog.Hash{}, io.EOF
	case err == io.EOF:
		return nil, tlog.Hash{}, fmt.Errorf("export line %d (seq %d) has no newline at its end: the file is cut short or was edited; export it again", line, seq)
	case errors.Is(err, bufio.ErrBufferFull) || len(data) > MaxLeafBytes+1:
		return nil, tlog.Hash{}, fmt.Errorf("export line %d (seq %d) is longer than %d bytes: no leaf is, so this is not an aeso export", line, seq, MaxLeafBytes)
	case err != nil:
		return nil, tlog.Hash{}, fmt.Errorf("read export: %w", err)
	}
	leaf := data[:len(data)-1]
	if bytes.HasSuffix(leaf, []byte("\r")) {
		return nil, tlog.Hash{}, fmt.Errorf("export line %d (seq %d) ends with CR LF: a tool rewrote the line endings; use the file exactly as exported", line, seq)
	}
	e.line++
	return leaf, tlog.RecordHash(leaf), nil
}

// compactTree is the right edge of a Merkle tree being built leaf by leaf:
// the roots of its complete subtrees, at most one per level. That is all
// tlog.StoredHashes reads to add a leaf and all tlog.TreeHash reads for the
// root, so the root of any number of leaves costs O(log n) memory.
type compactTree struct {
	n      int64
	hashes map[int64]tlog.Hash // stored-hash index → hash
}

func newCompactTree() *compactTree { return &compactTree{hashes: map[int64]tlog.Hash{}} }

// ReadHashes serves tlog from the right edge; anything else is a bug.
func (c *compactTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := c.hashes[x]
		if !ok {
			return nil, fmt.Errorf("compact tree of %d leaves has no hash %d", c.n, x)
		}
		out[i] = h
	}
	return out, nil
}

// add appends a leaf hash.
func (c *compactTree) add(leaf tlog.Hash) error {
	stored, err := tlog.StoredHashesForRecordHash(c.n, leaf, c)
	if err != nil {
		return err
	}
	first := tlog.StoredHashIndex(0, c.n)
	for i, h := range stored {
		c.hashes[first+int64(i)] = h
	}
	c.n++
	keep := edge(c.n)
	for x := range c.hashes {
		if !slices.Contains(keep, x) {
			delete(c.hashes, x)
		}
	}
	return nil
}

// root is the RFC 6962 root of the leaves added so far.
func (c *compactTree) root() (tlog.Hash, error) { return tlog.TreeHash(c.n, c) }

// edge lists the stored-hash indexes of the complete subtrees that make a
// tree of n leaves, largest first: one per set bit of n.
func edge(n int64) []int64 {
	keep := make([]int64, 0, 64)
	var start int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			keep = append(keep, tlog.StoredHashIndex(level, start>>level))
			start += 1 << level
		}
	}
	return keep
}
