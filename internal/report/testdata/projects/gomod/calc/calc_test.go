package calc

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Errorf("Add(2, 3) = %d, want 5", got)
	}
}

func TestDiv(t *testing.T) {
	if got := Div(7, 2); got != 3 {
		t.Errorf("Div(7, 2) = %d, want 3", got)
	}
}

func TestLater(t *testing.T) {
	t.Skip("not written yet")
}

func TestTable(t *testing.T) {
	for _, tt := range []struct {
		name    string
		a, b, q int
	}{{"exact", 6, 2, 3}, {"rounds down", 7, 2, 3}, {"one", 1, 1, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Div(tt.a, tt.b); got != tt.q {
				t.Errorf("Div(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.q)
			}
		})
	}
}
