package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The documentation's examples are run by TestDocsExamplesRunAsWritten. This
// file reads them out of the Markdown; the conventions a page follows:
//
//   - ```console blocks are run, in page order, by one bash -euo pipefail per
//     page, so a variable set in one block is there in the next. A line
//     starting "$ " is a command (continued while it ends in a backslash or
//     leaves a quote open); the lines after it, up to the next command, are
//     what it prints (stdout and stderr), compared after normalising ids,
//     times, digests and secrets. "…" in a shown line stands for any text;
//     a line holding only "…" for any number of lines. A command shown
//     without output is run but its output not compared.
//   - ```console server is the page's `aeso serve` (or `go run ./cmd/aeso
//     serve`): the test starts it on a free port, in the page's directory,
//     before the page's other blocks run, and compares its stdout.
//   - ```yaml blocks are definition files: each is loaded by the real loader
//     and must be valid (```yaml broken: must be refused). A first line
//     "# NAME.yaml" also writes it to NAME.yaml in the page's directory.
//   - ```console norun and ```yaml norun are not run (a GitHub Actions job, a
//     crontab line, a PostgreSQL server): every aeso command line in them is
//     still checked against the command tree, its subcommands and flags.

// docBlock is one fenced block of a page.
type docBlock struct {
	line  int      // line number of the opening fence
	lang  string   // first word of the info string
	tags  []string // the info string's other words
	lines []string // the content, without the fences
}

func (b docBlock) has(tag string) bool { return slices.Contains(b.tags, tag) }

// fencedBlocks returns the page's fenced blocks (``` at the start of a line).
func fencedBlocks(text string) ([]docBlock, error) {
	var blocks []docBlock
	var cur *docBlock
	for i, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "```") {
			if cur != nil {
				cur.lines = append(cur.lines, line)
			}
			continue
		}
		if cur != nil {
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		info := strings.Fields(strings.TrimPrefix(line, "```"))
		b := docBlock{line: i + 1}
		if len(info) > 0 {
			b.lang, b.tags = info[0], info[1:]
		}
		cur = &b
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: fenced block never closed", cur.line)
	}
	return blocks, nil
}

// docCommand is one "$ " command of a console block and the output shown
// after it.
type docCommand struct {
	line    int    // line number in the page
	text    string // the command, continuation lines included
	want    []string
	hasWant bool
}

// consoleCommands splits a console block into its commands.
func consoleCommands(b docBlock) ([]docCommand, error) {
	var cmds []docCommand
	for i := 0; i < len(b.lines); i++ {
		line := b.lines[i]
		if !strings.HasPrefix(line, "$ ") {
			if len(cmds) == 0 {
				if strings.TrimSpace(line) == "" {
					continue
				}
				return nil, fmt.Errorf("line %d: output before any command", b.line+1+i)
			}
			last := &cmds[len(cmds)-1]
			last.want = append(last.want, line)
			last.hasWant = true
			continue
		}
		c := docCommand{line: b.line + 1 + i, text: strings.TrimPrefix(line, "$ ")}
		for continues(c.text) {
			i++
			if i >= len(b.lines) {
				return nil, fmt.Errorf("line %d: command continues past the end of its block", c.line)
			}
			c.text += "\n" + b.lines[i]
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// continues tells whether a command goes on on the next line: it ends in a
// backslash, or a quote is still open.
func continues(cmd string) bool {
	if strings.HasSuffix(cmd, "\\") {
		return true
	}
	var quote byte
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			i++ // the next byte is escaped
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || cmd[i-1] == ' ' || cmd[i-1] == '\n'):
			// A comment runs to the end of the line: its apostrophes quote nothing.
			for i < len(cmd) && cmd[i] != '\n' {
				i++
			}
		}
	}
	return quote != 0
}

var (
	uuidPattern    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timePattern    = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	sha256Pattern  = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	secretPattern  = regexp.MustCompile(`aeso_[A-Za-z0-9]{20,}`)
	agePattern     = regexp.MustCompile(`\b[0-9][0-9hms.]* (ago|before this evaluation)\b`)
	spacesPattern  = regexp.MustCompile(`[ \t]+`)
	docsServerAddr = "127.0.0.1:8080" // the address the pages show
)

// normalise makes an output comparable with what a page shows: ids, times,
// ages, digests and secrets differ on every run, and table columns are as wide as
// what they hold.
func normalise(lines []string) []string {
	var out []string
	for _, l := range lines {
		l = uuidPattern.ReplaceAllString(l, "<id>")
		l = timePattern.ReplaceAllString(l, "<time>")
		l = sha256Pattern.ReplaceAllString(l, "sha256:<hex>")
		l = secretPattern.ReplaceAllString(l, "aeso_<secret>")
		l = agePattern.ReplaceAllString(l, "<age> $1")
		out = append(out, strings.TrimSpace(spacesPattern.ReplaceAllString(l, " ")))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}

// outputMatches tells whether got (normalised) is what want (normalised)
// shows, "…" standing for any text in a line and a line of "…" alone for any
// number of lines.
func outputMatches(want, got []string) bool {
	var re strings.Builder
	re.WriteString(`\A`)
	for i, w := range want {
		if w == "…" {
			re.WriteString(`(?:[^\n]*\n)*?`)
			continue
		}
		parts := strings.Split(w, "…")
		for j, p := range parts {
			if j > 0 {
				re.WriteString(`[^\n]*`)
			}
			re.WriteString(regexp.QuoteMeta(p))
		}
		if i < len(want)-1 {
			re.WriteString(`\n`)
		}
	}
	re.WriteString(`\n?\z`)
	return regexp.MustCompile(re.String()).MatchString(strings.Join(got, "\n") + "\n")
}

// aesoCommandLines finds the aeso command lines in text: the words after
// "aeso" (the command path and its arguments) and the flags given.
func aesoCommandLines(text string) (cmds [][]string, flags [][]string) {
	for _, line := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		for _, m := range aesoCall.FindAllStringSubmatchIndex(line, -1) {
			var words, fl []string
			inWords := true
			for _, tok := range strings.Fields(line[m[2]:]) {
				if tok == "|" || tok == "||" || tok == "&&" || tok == ";" || strings.HasPrefix(tok, "#") {
					break
				}
				if strings.HasPrefix(tok, "--") {
					inWords = false
					fl = append(fl, strings.SplitN(tok, "=", 2)[0])
					continue
				}
				if inWords && commandWord.MatchString(tok) {
					words = append(words, tok)
				} else {
					inWords = false
				}
			}
			cmds, flags = append(cmds, words), append(flags, fl)
		}
	}
	return cmds, flags
}

var (
	aesoCall    = regexp.MustCompile(`(?:^|[\s;&|(])aeso ([^\n]*)`)
	commandWord = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)
