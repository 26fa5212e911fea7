package logverify

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of the log's hash tiles (C2SP tlog-tiles).
const TileHeight = 8

// LogFromTiles returns the log's tree hashes read from tr, each checked
// against cp by tlog.TileHashReader before it is used. Tiles that do not
// hash up to cp's root are a *Tampered verdict (TreeMismatch): the log's
// own tree is not the one it signed. An error of tr itself (a server that
// does not answer) is returned as it is, not as a verdict.
func LogFromTiles(cp Checkpoint, tr tlog.TileReader) tlog.HashReader {
	return &tileLog{hr: tlog.TileHashReader(cp.Tree(), readErrors{tr}), cp: cp}
}

type tileLog struct {
	hr tlog.HashReader
	cp Checkpoint
}

func (l *tileLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	hs, err := l.hr.ReadHashes(indexes)
	var re readError
	if err == nil || errors.As(err, &re) {
		return hs, err
	}
	return nil, &Tampered{Kind: TreeMismatch,
		Detail: fmt.Sprintf("the log's tiles do not hash to the root of the checkpoint of %d events (%v)", l.cp.Size, err)}
}

// readErrors marks the errors of a TileReader, to tell a failed read from
// tiles that fail their check.
type readErrors struct{ tlog.TileReader }

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func (r readErrors) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data, err := r.TileReader.ReadTiles(tiles)
	if err != nil {
		return nil, readError{err}
	}
	return data, nil
}
