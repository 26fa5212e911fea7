package redact

// Payment card numbers are 13 to 19 digits with a Luhn check digit. Luhn
// alone passes one random number in ten, and metadata is full of long
// numbers (millisecond timestamps, snowflake IDs), so two more rules keep
// false positives down:
//
//   - the first digit must be 2–6, the major industry identifiers of the
//     card networks (Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover,
//     UnionPay and Maestro 6). Unix timestamps in ms, µs or ns start with 1
//     until 2033 and are therefore never taken for cards;
//   - the digits must stand alone: a run glued to letters or to a decimal
//     point ("a3f41111…" in a hash, "0.4111…") is part of something else.
const (
	minCardDigits = 13
	maxCardDigits = 19
)

// numberLooksLikeCard reports whether a JSON number literal is a card number:
// plain digits only, so 4.111e15 or -4111… are numbers, not cards.
func numberLooksLikeCard(lit string) bool {
	if len(lit) < minCardDigits || len(lit) > maxCardDigits {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if !isDigit(lit[i]) {
			return false
		}
	}
	return isCardNumber([]byte(lit))
}

// containsCardNumber looks for a run of digits, optionally grouped by single
// spaces or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"), that is a
// card number. Runs are taken whole: a date like 2026-11-23 is 8 digits and
// a numeric UUID 32, neither of which is a card length.
func containsCardNumber(s string) bool {
	var digits [maxCardDigits]byte
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start, n := i, 0
		for {
			if n < len(digits) {
				digits[n] = s[i]
			}
			n++
			i++
			if i < len(s) && isDigit(s[i]) {
				continue
			}
			if i+1 < len(s) && (s[i] == ' ' || s[i] == '-') && isDigit(s[i+1]) {
				i++
				continue
			}
			break
		}
		if n >= minCardDigits && n <= maxCardDigits && standsAlone(s, start, i) && isCardNumber(digits[:n]) {
			return true
		}
	}
	return false
}

// standsAlone reports whether s[start:end] is not glued to a letter, a digit
// or a decimal separator followed by more digits.
func standsAlone(s string, start, end int) bool {
	if start > 0 {
		c := s[start-1]
		if isAlnum(c) || (c == '.' || c == ',') && start > 1 && isDigit(s[start-2]) {
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if isAlnum(c) || (c == '.' || c == ',') && end+1 < len(s) && isDigit(s[end+1]) {
			return false
		}
	}
	return true
}

// isCardNumber applies the industry-identifier and Luhn rules to digits.
func isCardNumber(digits []byte) bool {
	if digits[0] < '2' || digits[0] > '6' {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
