package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// durationValue is a duration flag whose error says what to write: Go's
// own ("time: unknown unit "d" in duration "31d"") does not, and days are
// what people reach for first.
type durationValue time.Duration

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		hint := "use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)"
		if n, derr := strconv.Atoi(strings.TrimSuffix(s, "d")); derr == nil && strings.HasSuffix(s, "d") {
			days := "days are"
			if n == 1 {
				days = "day is"
			}
			hint = fmt.Sprintf("%s: %d %s %dh", hint, n, days, n*24)
		}
		return fmt.Errorf("%q is not a duration; %s", s, hint)
	}
	*d = durationValue(v)
	return nil
}

func (d *durationValue) Type() string   { return "duration" }
func (d *durationValue) String() string { return time.Duration(*d).String() }

// durationVar defines a duration flag on fs with durationValue's errors.
func durationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var((*durationValue)(p), name, usage)
}
