package main

import (
	"slices"
	"strings"
	"testing"
)

func TestDocsConsoleBlocksSplitIntoCommandsAndOutput(t *testing.T) {
	t.Parallel()
	b := docBlock{line: 10, lang: "console", lines: strings.Split(strings.Join([]string{
		`$ curl -s "$AESO_URL/v1/x" \`,
		`    -d '{"a": 1,`,
		`         "b": "it is # not a comment"}'`,
		`{"ok":true}`,
		`$ echo "don't" # the comment's apostrophe opens nothing`,
		`don't`,
		`$ true`,
	}, "\n"), "\n")}
	cmds, err := consoleCommands(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 3 {
		t.Fatalf("%d commands, want 3: %#v", len(cmds), cmds)
	}
	if cmds[0].line != 11 || strings.Count(cmds[0].text, "\n") != 2 || !slices.Equal(cmds[0].want, []string{`{"ok":true}`}) {
		t.Errorf("a command continued by a backslash and an open quote: %#v", cmds[0])
	}
	if !slices.Equal(cmds[1].want, []string{"don't"}) {
		t.Errorf("a comment's apostrophe took the output as the command: %#v", cmds[1])
	}
	if cmds[2].hasWant {
		t.Errorf("a command shown without output has output: %#v", cmds[2])
	}
}

func TestDocsConsoleBlockWithOutputBeforeACommandIsRefused(t *testing.T) {
	t.Parallel()
	if _, err := consoleCommands(docBlock{line: 1, lines: []string{"output", "$ true"}}); err == nil {
		t.Error("output before any command was accepted")
	}
}

func TestDocsShownOutputMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		want, got string
		match     bool
	}{
		{"ids, times and digests differ between runs",
			"BLOCK release (inputs sha256:" + strings.Repeat("a", 64) + ") at 2026-11-23T10:00:00Z id 01a235ad-da7b-7729-97a9-6613f970e3a8",
			"BLOCK release (inputs sha256:" + strings.Repeat("b", 64) + ") at 2026-12-02T07:35:16.123Z id 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true},
		{"table columns are as wide as what they hold", "SEQ  ACTION\n2    app.deploy", "SEQ ACTION\n2 app.deploy", true},
		{"an ellipsis in a line stands for any text", "verified (root …)", "verified (root twHUVilz=)", true},
		{"a line of an ellipsis stands for any lines", "first\n…\nlast", "first\na\nb\nlast", true},
		{"a line of an ellipsis stands for no line", "first\n…\nlast", "first\nlast", true},
		{"a changed word is a drift", "exit 1", "exit 2", false},
		{"a missing line is a drift", "a\nb", "a", false},
		{"an extra line is a drift", "a", "a\nb", false},
		{"an age is a time", "sealed 0s ago", "sealed 1m2s ago", true},
		{"an age before an evaluation is a time", "sealed 0s before this evaluation", "sealed 1m2s before this evaluation", true},
		{"an age is not an age before an evaluation", "sealed 0s ago", "sealed 0s before this evaluation", false},
		{"a secret is never compared", "aeso_EXAMPLE0shown0once0and0never0a0real0token", "aeso_mlHSbcALCkMJCt5YGYh3hZmPr3TfAwCkyDQ4dhXZqnT", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := outputMatches(normalise(strings.Split(c.want, "\n")), normalise(strings.Split(c.got, "\n")))
			if got != c.match {
				t.Errorf("outputMatches(%q, %q) = %v, want %v", c.want, c.got, got, c.match)
			}
		})
	}
}

func TestDocsCommandLinesAreFoundInScriptsAndCI(t *testing.T) {
	t.Parallel()
	cmds, flags := aesoCommandLines(`ID=$(aeso evidence create --kind release --subject api)
    - aeso gate check release --subject "api@$CI_COMMIT_SHA" --correlation-id=1 | tee out
*/5 * * * * AESO_TOKEN=… aeso audit witness --url https://x --key k
go install github.com/aeso-dev/aeso/cmd/aeso@latest`)
	wantCmds := [][]string{{"evidence", "create"}, {"gate", "check", "release"}, {"audit", "witness"}}
	wantFlags := [][]string{{"--kind", "--subject"}, {"--subject", "--correlation-id"}, {"--url", "--key"}}
	if !slices.EqualFunc(cmds, wantCmds, slices.Equal) || !slices.EqualFunc(flags, wantFlags, slices.Equal) {
		t.Errorf("found %q with flags %q, want %q with %q", cmds, flags, wantCmds, wantFlags)
	}
}
