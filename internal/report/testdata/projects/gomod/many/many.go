// Package many has many small passing tests.
package many
