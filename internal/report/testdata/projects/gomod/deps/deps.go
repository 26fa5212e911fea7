// Package deps uses golang.org/x/text v0.3.7, whose
// language.ParseAcceptLanguage has a known vulnerability.
package deps

import "golang.org/x/text/language"

// Preferred returns the first language of an Accept-Language header.
func Preferred(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return ""
	}
	return tags[0].String()
}
