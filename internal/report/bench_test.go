package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// fill repeats unit between head and tail until the whole is just under
// size bytes, so each benchmark parses an upload at the limit.
func fill(head, unit, sep, tail string, size int) []byte {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; b.Len()+len(unit)+len(sep)+len(tail) < size; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		fmt.Fprintf(&b, unit, i)
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// BenchmarkParseAtTheLimit measures the cost of the largest upload aeso
// accepts, one failing test or finding after another.
func BenchmarkParseAtTheLimit(b *testing.B) {
	const size = 10 << 20
	data := map[string][]byte{
		FormatJUnit: fill(`<testsuites><testsuite name="s">`,
			`<testcase name="Test%d" classname="pkg"><failure message="boom">trace line</failure></testcase>`,
			"\n", `</testsuite></testsuites>`, size),
		FormatSARIF: fill(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[`,
			`{"ruleId":"R%d","level":"error","message":{"text":"boom"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"f.go"},"region":{"startLine":1}}}]}`,
			",\n", `]}]}`, size),
		FormatGoTest: fill("",
			`{"Action":"output","Package":"p","Test":"Test%[1]d","Output":"boom\n"}`+"\n"+`{"Action":"fail","Package":"p","Test":"Test%[1]d"}`,
			"\n", "\n", size),
	}
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(int64(len(data[format])))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(format, bytes.NewReader(data[format]), size); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
