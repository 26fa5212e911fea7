package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// DefaultOrigin names the log in its checkpoints unless configured.
const DefaultOrigin = "aeso.local/audit"

// KeyFile is the signing key's file inside the data directory.
const KeyFile = "log.key"

// ErrBadKey says a signing key could not be used. Messages never quote the
// key: it is a secret.
var ErrBadKey = errors.New("not a note signing key (PRIVATE+KEY+<origin>+<hash>+<key>) for Ed25519")

// CheckOrigin reports whether origin can name the log: a note key name
// (no whitespace, no '+'), as checkpoints and keys carry it.
func CheckOrigin(origin string) error {
	if origin == "" || strings.ContainsAny(origin, "+ \t\r\n") || strings.ContainsFunc(origin, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("log origin %q: must be non-empty, without spaces or '+' (e.g. %s)", origin, DefaultOrigin)
	}
	return nil
}

// VerifierKey returns the public verifier key of a note signing key.
func VerifierKey(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", ErrBadKey
	}
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return "", ErrBadKey
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// LoadKey returns the signing key for origin: given (AESO_LOG_KEY) when not
// empty, else read from dataDir/log.key, made there (mode 0600) on first
// use. A key file others can read is refused, as is a key for another
// origin. created says the key was made now.
func LoadKey(given, dataDir, origin string) (skey string, created bool, err error) {
	if given != "" {
		skey = strings.TrimSpace(given)
		if err := checkKey(skey, origin); err != nil {
			return "", false, fmt.Errorf("AESO_LOG_KEY: %w", err)
		}
		return skey, false, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	skey, err = ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return makeKey(path, origin)
	}
	if err != nil {
		return "", false, err
	}
	if err := checkKey(skey, origin); err != nil {
		return "", false, fmt.Errorf("%s: %w", path, err)
	}
	return skey, false, nil
}

// ReadKeyFile reads a signing key file, refusing one that its owner does
// not alone may read.
func ReadKeyFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s: mode %04o lets others read the log's signing key; chmod 600 it", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func checkKey(skey, origin string) error {
	s, err := note.NewSigner(skey)
	if err != nil {
		return ErrBadKey
	}
	if s.Name() != origin {
		return fmt.Errorf("the key signs for origin %q but the log's origin is %q", s.Name(), origin)
	}
	_, err = VerifierKey(skey)
	return err
}

func makeKey(path, origin string) (string, bool, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", false, fmt.Errorf("make log key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, err
	}
	// O_EXCL: two starts racing on one data directory keep one key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		skey, err := ReadKeyFile(path)
		if err != nil {
			return "", false, err
		}
		return skey, false, checkKey(skey, origin)
	}
	if err != nil {
		return "", false, fmt.Errorf("make log key: %w", err)
	}
	_, werr := f.WriteString(skey + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return "", false, fmt.Errorf("write log key: %w", err)
	}
	return skey, true, nil
}
