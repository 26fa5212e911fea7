package server

// each converts a list element by element, keeping a nil list nil: the
// JSON of a list the server sends says null or [] exactly as before.
func each[S, T any](in []S, f func(S) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		out[i] = f(in[i])
	}
	return out
}
