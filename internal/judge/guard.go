package judge

import "github.com/aeso-dev/aeso/internal/guard"

// Guard weighs one guard report by its mode: open findings in blocking
// mode block, in warn mode warn; report_only and a report without open
// findings count for nothing.
func Guard(rep *guard.Report) Level {
	if !rep.Open() {
		return Pass
	}
	switch rep.Mode {
	case guard.ModeBlocking:
		return Block
	case guard.ModeWarn:
		return Warn
	}
	return Pass
}
