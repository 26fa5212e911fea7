package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	t.Run("a file on disk is read and its path kept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "aeso.yaml")
		if err := os.WriteFile(path, []byte(rotateKey), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, Options{})
		if err != nil {
			t.Fatalf("Load() error = %v", err)
		}
		if cfg.Path != path || len(cfg.Actions) != 1 || cfg.Actions[0].Action != "credentials.api_key.rotate" {
			t.Errorf("Load() = %+v, want one action from %s", cfg, path)
		}
	})
	t.Run("problems in a file on disk name that file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "aeso.yaml")
		if err := os.WriteFile(path, []byte("actions: [\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, Options{})
		if want := path + ":1:10: "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Load() error = %v, want prefix %q", err, want)
		}
	})
	t.Run("a missing file is an error naming its path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.yaml")
		cfg, err := Load(path, Options{})
		if cfg != nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load() = %+v, %v; want a not-exist error naming %s", cfg, err, path)
		}
	})
}

func TestErrorSortsProblemsByLine(t *testing.T) {
	t.Parallel()
	e := &Error{File: "a.yaml", Problems: []Problem{
		{Line: 9, Column: 3, Path: "actions[1].label", Message: "is required"},
		{Line: 2, Column: 7, Message: "bad"},
		{Line: 2, Column: 5, Path: "actions[0].action", Message: "is required"},
	}}
	want := "a.yaml:2:5: actions[0].action: is required\na.yaml:2:7: bad\na.yaml:9:3: actions[1].label: is required"
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}
