package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// sarifShape is what the library's types lose of a log and the rule
// lookup needs: whether an index was given at all (they read an absent
// ruleIndex as 0, which is a valid index) and where each result and
// index starts, so a refusal can say where.
type sarifShape struct {
	results [][]int64                // run → result → byte offset of the result
	indices map[[2]int]resultIndices // (run, result) → its indices, for results that give one
}

// resultIndices are the byte offsets of a result's indices, 0 when the
// result does not give that index (offset 0 is the log's opening brace).
type resultIndices struct {
	ruleIndex, refIndex, componentIndex int64
}

// objectArrays are the arrays of objects the parser reads. SARIF allows
// only objects in them; a null there is read by the library as a nil
// entry, which the parser would skip, so "results":[null] would read as a
// clean run. Such a log is refused instead.
var objectArrays = map[string]bool{
	"runs[]": true, "runs[].results[]": true, "runs[].invocations[]": true,
	"runs[].tool.driver.rules[]": true, "runs[].tool.extensions[]": true, "runs[].tool.extensions[].rules[]": true,
	"runs[].results[].locations[]": true, "runs[].results[].suppressions[]": true,
	"runs[].invocations[].toolExecutionNotifications[]":     true,
	"runs[].invocations[].toolConfigurationNotifications[]": true,
}

// shapeContainers are the objects and arrays whose insides the walk
// reads; it skips every other value whole, which keeps it fast.
var shapeContainers = map[string]bool{
	"runs": true, "runs[]": true, "runs[].tool": true, "runs[].tool.driver": true, "runs[].tool.driver.rules": true,
	"runs[].tool.extensions": true, "runs[].tool.extensions[]": true, "runs[].tool.extensions[].rules": true,
	"runs[].results": true, "runs[].results[]": true, "runs[].results[].locations": true,
	"runs[].results[].suppressions": true, "runs[].results[].rule": true, "runs[].results[].rule.toolComponent": true,
	"runs[].invocations": true, "runs[].invocations[]": true,
	"runs[].invocations[].toolExecutionNotifications":     true,
	"runs[].invocations[].toolConfigurationNotifications": true,
}

// shapeFrame is one open object or array while walking a log.
type shapeFrame struct {
	path     string // from the log, as runs[].results[]
	array    bool
	count    int    // elements seen so far (arrays)
	wantName bool   // the next string is a member name (objects)
	member   string // the member whose value comes next (objects)
}

// readSARIFShape walks the tokens of a log that jsonv2 has already
// accepted, refusing a null in an array of objects and noting where
// results and their rule indices are.
func readSARIFShape(data []byte) (*sarifShape, error) {
	sh := &sarifShape{indices: map[[2]int]resultIndices{}}
	d := jsontext.NewDecoder(bytes.NewReader(data))
	stack := []shapeFrame{{wantName: true}}
	fail := func(err error) (*sarifShape, error) { return nil, jsonError(FormatSARIF, data, err) }
	if _, err := d.ReadToken(); err != nil { // the log object's brace
		return fail(err)
	}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		off := valueStart(data, d.InputOffset())
		k := d.PeekKind()
		if k == '}' || k == ']' {
			if _, err := d.ReadToken(); err != nil {
				return fail(err)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		var path string
		switch {
		case top.array:
			path = top.path + "[]"
			top.count++
		case top.wantName:
			tok, err := d.ReadToken()
			if err != nil {
				return fail(err)
			}
			top.wantName, top.member = false, tok.String()
			continue
		default:
			top.wantName = true
			if path = top.member; top.path != "" {
				path = top.path + "." + top.member
			}
		}
		switch {
		case (k == '{' || k == '[') && shapeContainers[path]:
			if _, err := d.ReadToken(); err != nil {
				return fail(err)
			}
			if path == "runs[].results[]" {
				run := stack[1].count - 1
				for len(sh.results) <= run {
					sh.results = append(sh.results, nil)
				}
				sh.results[run] = append(sh.results[run], off)
			}
			stack = append(stack, shapeFrame{path: path, array: k == '[', wantName: k == '{'})
			continue
		case k == 'n' && objectArrays[path]:
			line, column := position(data, off+1)
			return nil, parseError(FormatSARIF, line, column, "a null where SARIF requires an object ("+indexedPath(stack)+")")
		case k == '0' && len(stack) >= 5 && strings.HasPrefix(path, "runs[].results[]."):
			at := [2]int{stack[1].count - 1, stack[3].count - 1}
			ix := sh.indices[at]
			switch path {
			case "runs[].results[].ruleIndex":
				ix.ruleIndex = off
			case "runs[].results[].rule.index":
				ix.refIndex = off
			case "runs[].results[].rule.toolComponent.index":
				ix.componentIndex = off
			}
			sh.indices[at] = ix
		}
		if err := d.SkipValue(); err != nil {
			return fail(err)
		}
	}
	return sh, nil
}

// indexedPath names the array element being read, as runs[0].results[3].
func indexedPath(stack []shapeFrame) string {
	var b strings.Builder
	done := "" // the part of the path already written, with [] for indices
	for _, f := range stack[1:] {
		if f.array {
			b.WriteString(strings.TrimPrefix(f.path, done))
			b.WriteString("[" + strconv.Itoa(f.count-1) + "]")
			done = f.path + "[]"
		}
	}
	return b.String()
}

// ruleFinder finds the rule a result of one run refers to.
type ruleFinder struct {
	run  *sarif.Run
	byID map[*sarif.ToolComponent]map[string]int // component → rule id → its first index
}

// ruleProblem is a reference that points nowhere or contradicts itself:
// at is the byte offset to report, msg says what is wrong.
type ruleProblem struct {
	at  int64
	msg string
}

// find returns the rule a result refers to (nil when the run does not
// describe it) as SARIF §3.27.5–3.27.7 and §3.52 define the reference:
// the rule lives in the tool component named by rule.toolComponent
// (index into tool.extensions, name or guid), else in the driver; within
// it, ruleIndex or rule.index is its index, else ruleId or rule.id its
// id, else rule.guid its guid. A reference that points outside its
// array, names a component the run lacks, or whose parts disagree (an id
// that is not the indexed rule's) is a problem: the level could only be
// guessed, and a guess of "warning" for an error-level rule lets a
// failed scan pass.
func (f *ruleFinder) find(res *sarif.Result, resAt int64, ix resultIndices) (*sarif.ReportingDescriptor, *ruleProblem) {
	tool := f.run.Tool
	comp := tool.Driver
	ref := res.Rule
	if ref != nil && ref.ToolComponent != nil {
		tc := ref.ToolComponent
		switch {
		case ix.componentIndex != 0 && tc.Index != -1:
			if tc.Index < 0 || tc.Index >= len(tool.Extensions) || tool.Extensions[tc.Index] == nil {
				return nil, &ruleProblem{ix.componentIndex, "rule.toolComponent.index points at no tool extension"}
			}
			comp = tool.Extensions[tc.Index]
			if tc.Name != nil && !sameString(tc.Name, comp.Name) || tc.GuID != nil && !sameString(tc.GuID, comp.GuID) {
				return nil, &ruleProblem{resAt, "rule.toolComponent names another tool component than its index"}
			}
		case tc.Name != nil || tc.GuID != nil:
			comp = nil
			for _, c := range append([]*sarif.ToolComponent{tool.Driver}, tool.Extensions...) {
				if c != nil && (tc.GuID != nil && sameString(tc.GuID, c.GuID) || tc.GuID == nil && sameString(tc.Name, c.Name)) {
					comp = c
					break
				}
			}
			if comp == nil {
				return nil, &ruleProblem{resAt, "rule.toolComponent names no tool component of the run"}
			}
		}
	}
	index, indexAt := -1, int64(0)
	if ix.ruleIndex != 0 && res.RuleIndex != -1 {
		index, indexAt = res.RuleIndex, ix.ruleIndex
	}
	if ref != nil && ix.refIndex != 0 && ref.Index != -1 {
		if indexAt != 0 && ref.Index != index {
			return nil, &ruleProblem{ix.refIndex, "ruleIndex and rule.index differ"}
		}
		index, indexAt = ref.Index, ix.refIndex
	}
	id, guid := res.RuleID, (*string)(nil)
	if ref != nil {
		if ref.ID != nil {
			if id != nil && *id != *ref.ID {
				return nil, &ruleProblem{resAt, "ruleId and rule.id differ"}
			}
			id = ref.ID
		}
		guid = ref.GuID
	}
	if indexAt != 0 {
		if index < 0 || index >= len(comp.Rules) || comp.Rules[index] == nil {
			return nil, &ruleProblem{indexAt, "the rule index points at no rule of its tool component"}
		}
		rule := comp.Rules[index]
		if id != nil && !sameRule(*id, rule.ID) || guid != nil && !sameString(guid, rule.GuID) {
			return nil, &ruleProblem{resAt, "the rule id or guid is not that of the rule at the rule index"}
		}
		return rule, nil
	}
	switch {
	case id != nil:
		if i, ok := f.ids(comp)[*id]; ok {
			return comp.Rules[i], nil
		}
	case guid != nil:
		for _, rule := range comp.Rules {
			if rule != nil && sameString(guid, rule.GuID) {
				return rule, nil
			}
		}
	}
	return nil, nil
}

// ids maps each rule id of a component to its first index, once.
func (f *ruleFinder) ids(comp *sarif.ToolComponent) map[string]int {
	if m, ok := f.byID[comp]; ok {
		return m
	}
	m := map[string]int{}
	for i, rule := range comp.Rules {
		if rule == nil || rule.ID == nil {
			continue
		}
		if _, seen := m[*rule.ID]; !seen {
			m[*rule.ID] = i
		}
	}
	if f.byID == nil {
		f.byID = map[*sarif.ToolComponent]map[string]int{}
	}
	f.byID[comp] = m
	return m
}

// sameRule says whether a result's rule id names the rule: its id, or a
// hierarchical id below it ("CA2101/1" under "CA2101", SARIF §3.27.5).
func sameRule(id string, ruleID *string) bool {
	return ruleID != nil && (id == *ruleID || strings.HasPrefix(id, *ruleID+"/"))
}

// sameString compares two optional strings; absent matches nothing.
func sameString(a, b *string) bool {
	return a != nil && b != nil && *a == *b
}
