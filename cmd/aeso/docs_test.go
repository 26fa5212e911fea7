package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/config"
)

// docPages are the pages whose examples must run as written (see
// docs_blocks_test.go for how a page marks them).
var docPages = []string{
	"README.md",
	"docs/audit.md",
	"docs/evidence.md",
	"docs/gates-and-invariants.md",
	"docs/status.md",
	"docs/configuration.md",
	"docs/cli.md",
	"docs/console.md",
}

// TestDocsExamplesRunAsWritten runs every page's shell examples against a
// real server, in a directory of the page's own, with the built aeso first on
// PATH, and compares what they print with what the page shows. It loads every
// definitions file a page shows through the real loader, and checks each
// command line it cannot run against the command tree.
func TestDocsExamplesRunAsWritten(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		// The pages show these tools to readers; the test runs what they show.
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the documentation's examples use %s, which is not on PATH: install it", tool)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range docPages {
		t.Run(page, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(root, page))
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := fencedBlocks(string(data))
			if err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			if page == "README.md" {
				checkFrontDoor(t, string(data))
			}
			runPage(t, root, page, blocks)
		})
	}
}

// checkFrontDoor keeps the README what a newcomer reads first: short, and
// opening with what a fresh machine needs, how to run the service and the
// tests. Detail belongs in docs/.
func checkFrontDoor(t *testing.T, readme string) {
	if n := strings.Count(readme, "\n"); n >= 250 {
		t.Errorf("README.md has %d lines: keep it under 250 and move the detail to a page in docs/", n)
	}
	head := strings.Join(strings.SplitN(readme, "\n", 8)[:7], "\n")
	for _, cmd := range []string{"go run ./cmd/aeso serve", "go test ./..."} {
		if !strings.Contains(head, cmd) {
			t.Errorf("README.md: the first lines no longer give `%s`", cmd)
		}
	}
}

func runPage(t *testing.T, root, page string, blocks []docBlock) {
	dir := pageDir(t, root)
	var server *docBlock
	var cmds []docCommand
	for i, b := range blocks {
		where := fmt.Sprintf("%s:%d", page, b.line)
		switch {
		case b.lang == "yaml":
			checkDefinitions(t, where, dir, b)
		case b.lang == "console" && b.has("norun"):
			checkCommandTree(t, where, strings.Join(b.lines, "\n"))
		case b.lang == "console" && b.has("server"):
			if server != nil {
				t.Errorf("%s: a second server block; a page starts one server", where)
			}
			server = &blocks[i]
		case b.lang == "console":
			c, err := consoleCommands(b)
			if err != nil {
				t.Errorf("%s: %v", page, err)
			}
			cmds = append(cmds, c...)
		case b.lang == "sh" || b.lang == "bash" || b.lang == "shell":
			t.Errorf("%s: a %s block is never run: make it console (or console norun, and say why)", where, b.lang)
		}
	}
	if len(cmds) == 0 {
		t.Errorf("%s: no example runs: a guide without one would pass unseen", page)
	}
	if t.Failed() {
		return
	}
	if server == nil {
		t.Fatalf("%s: examples to run but no ```console server block to start aeso", page)
	}
	addr := startDocsServer(t, page, dir, *server)
	runCommands(t, page, dir, addr, cmds)
}

// pageDir is a directory of the page's own where the repository's module is
// visible (links), so `go build ./cmd/aeso` works as it does in a clone.
func pageDir(t *testing.T, root string) string {
	dir := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "aeso", "aeso-data", ".git":
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var fileName = regexp.MustCompile(`^# ([a-z0-9._-]+\.ya?ml)$`)

// checkDefinitions loads a yaml block through the loader `aeso serve` uses.
func checkDefinitions(t *testing.T, where, dir string, b docBlock) {
	text := strings.Join(b.lines, "\n") + "\n"
	if b.has("norun") {
		checkCommandTree(t, where, text)
		return
	}
	name := "definitions.yaml"
	if m := fileName.FindStringSubmatch(b.lines[0]); m != nil {
		name = m[1]
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := config.Parse(name, []byte(text), config.Options{ReservedActions: audit.BuiltinActionNames()})
	switch {
	case b.has("broken") && err == nil:
		t.Errorf("%s: the file is shown as refused, but it loads", where)
	case !b.has("broken") && err != nil:
		t.Errorf("%s: the definitions do not load: %v", where, err)
	}
}

// checkCommandTree checks every aeso command line in text: its command path
// exists and has each flag given.
func checkCommandTree(t *testing.T, where, text string) {
	cmds, flags := aesoCommandLines(text)
	for i, words := range cmds {
		r := aeso(t, nil, append(words, "--help")...)
		if r.code != 0 {
			t.Errorf("%s: aeso %s: no such command (exit %d): %s", where, strings.Join(words, " "), r.code, r.stderr)
			continue
		}
		if group := commandGroup(r.stdout, words); group != "" {
			t.Errorf("%s: aeso %s: %s has no such subcommand", where, strings.Join(words, " "), group)
			continue
		}
		for _, f := range flags[i] {
			if !regexp.MustCompile(regexp.QuoteMeta(f) + `\b`).MatchString(r.stdout) {
				t.Errorf("%s: aeso %s has no flag %s", where, strings.Join(words, " "), f)
			}
		}
	}
}

// commandGroup tells, from a command's help, whether words name a command
// group followed by a word that is none of its subcommands (cobra then shows
// the group's help); it returns the group, or "" when words name a command
// and its arguments.
func commandGroup(help string, words []string) string {
	_, usage, _ := strings.Cut(help, "Usage:\n")
	path := strings.Fields(strings.SplitN(usage, "\n", 2)[0]) // "aeso gate check GATE …"
	n := 0
	for n < len(words) && n+1 < len(path) && path[n+1] == words[n] {
		n++
	}
	if n < len(words) && strings.Contains(help, "Available Commands:") {
		return "aeso " + strings.Join(words[:n], " ")
	}
	return ""
}

// startDocsServer runs the page's server command in dir on a free port and
// returns its address once it is ready and has printed what the page shows.
func startDocsServer(t *testing.T, page, dir string, b docBlock) string {
	cmds, err := consoleCommands(b)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("%s:%d: a server block holds one command (%v)", page, b.line, err)
	}
	args := strings.Fields(strings.ReplaceAll(cmds[0].text, "\\\n", " "))
	switch {
	case len(args) >= 3 && strings.Join(args[:3], " ") == "go run ./cmd/aeso":
		args = args[3:]
	case len(args) >= 1 && args[0] == "aeso":
		args = args[1:]
	default:
		t.Fatalf("%s:%d: a server block runs aeso serve, not %q", page, b.line, cmds[0].text)
	}
	cmd := exec.Command(aesoBin, append(args, "--addr", "127.0.0.1:0")...) // see startServer
	cmd.Dir, cmd.Env = dir, cliEnv()
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s: aeso serve stderr:\n%s", page, stderr.String())
		}
	})
	hc := &http.Client{Timeout: 2 * time.Second}
	addr := ""
	for deadline := time.Now().Add(15 * time.Second); ; {
		if m := servingAddr.FindStringSubmatch(stderr.String()); addr == "" && m != nil {
			addr = m[1]
		}
		if addr != "" { // once it serves
			if resp, err := hc.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		select {
		case <-exited:
			t.Fatalf("%s:%d: aeso serve exited before it was ready:\n%s", page, b.line, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:%d: aeso serve not ready within 15s:\n%s", page, b.line, stderr.String())
		}
	}
	if c := cmds[0]; c.hasWant {
		// The server prints its greeting once it is started, which can be a
		// moment after /readyz first answers: wait for it, a while at most.
		want := normalise(c.want)
		got := normalise(strings.Split(stdout.String(), "\n"))
		for deadline := time.Now().Add(10 * time.Second); !outputMatches(want, got) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			got = normalise(strings.Split(stdout.String(), "\n"))
		}
		if !outputMatches(want, got) {
			t.Errorf("%s:%d: aeso serve printed\n%s\nthe page shows\n%s", page, c.line, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	return addr
}

const docsMarker = "@@aeso-docs-command "

// runCommands runs a page's commands as one bash script, so that they share
// variables and the working directory as a reader's shell does, and compares
// each command's output with what the page shows.
func runCommands(t *testing.T, page, dir, addr string, cmds []docCommand) {
	var script strings.Builder
	script.WriteString("exec 2>&1\nset -euo pipefail\n")
	for i, c := range cmds {
		fmt.Fprintf(&script, "printf '\\n%s%d@@\\n'\n%s\n", docsMarker, i, strings.ReplaceAll(c.text, docsServerAddr, addr))
	}
	fmt.Fprintf(&script, "printf '\\n%send@@\\n'\n", docsMarker)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	bash := exec.CommandContext(ctx, "bash", "-c", script.String())
	bash.Dir = dir
	bash.Env = cliEnv("PATH=" + filepath.Dir(aesoBin) + string(os.PathListSeparator) + os.Getenv("PATH"))
	var out bytes.Buffer
	bash.Stdout, bash.Stderr = &out, &out
	runErr := bash.Run()

	outputs := map[int][]string{}
	current := -1
	for _, line := range strings.Split(strings.ReplaceAll(out.String(), addr, docsServerAddr), "\n") {
		if rest, ok := strings.CutPrefix(line, docsMarker); ok {
			current, _ = strconv.Atoi(strings.TrimSuffix(rest, "@@")) // "end" gives 0, never read
			if rest == "end@@" {
				current = len(cmds)
			}
			continue
		}
		outputs[current] = append(outputs[current], line)
	}
	if runErr != nil {
		if current < 0 || current >= len(cmds) {
			t.Fatalf("%s: bash: %v\n%s", page, runErr, out.String())
		}
		c := cmds[current]
		t.Fatalf("%s:%d: `%s` failed (%v); it printed:\n%s", page, c.line, c.text, runErr, strings.Join(outputs[current], "\n"))
	}
	show := os.Getenv("AESO_DOCS_SHOW") != ""
	for i, c := range cmds {
		if show {
			// For a writer: what each command printed, to paste into the page.
			t.Logf("%s:%d\n$ %s\n%s", page, c.line, c.text, strings.TrimSpace(strings.Join(outputs[i], "\n")))
		}
		if !c.hasWant {
			continue
		}
		got, want := normalise(outputs[i]), normalise(c.want)
		if !outputMatches(want, got) {
			t.Errorf("%s:%d: `%s` printed\n%s\n\nthe page shows\n%s", page, c.line, c.text, strings.Join(outputs[i], "\n"), strings.Join(c.want, "\n"))
		}
	}
}
