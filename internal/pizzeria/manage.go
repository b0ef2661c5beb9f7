package pizzeria

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// DateLayout is how a closure's date is written: the calendar date in
// Paris.
const DateLayout = "2006-01-02"

// Closure is a day the pizzeria stays closed although its weekly hours
// say it opens: a holiday, works, an inventory.
type Closure struct {
	Date   string `json:"date"` // YYYY-MM-DD, in Paris
	Reason string `json:"reason"`
}

// Normalize trims a closure and checks its date and reason.
func (c Closure) Normalize() (Closure, error) {
	c.Date, c.Reason = strings.TrimSpace(c.Date), strings.TrimSpace(c.Reason)
	if _, err := time.ParseInLocation(DateLayout, c.Date, Paris); err != nil {
		return c, errs.E(errs.Invalid, "a closure is a date written YYYY-MM-DD").With("field", "date")
	}
	if utf8.RuneCountInString(c.Reason) > 200 {
		return c, errs.E(errs.Invalid, "the reason is at most 200 characters").With("field", "reason")
	}
	return c, text.Line("reason", c.Reason)
}

// ClosedOn reports whether the day of t (in Paris) is one of the
// pizzeria's closures.
func (p Pizzeria) ClosedOn(t time.Time) bool {
	if len(p.Closures) == 0 {
		return false
	}
	day := t.In(Paris).Format(DateLayout)
	for _, c := range p.Closures {
		if c.Date == day {
			return true
		}
	}
	return false
}

// UpcomingClosures returns the closures from the day of now on, by date.
func (p Pizzeria) UpcomingClosures(now time.Time) []Closure {
	today := now.In(Paris).Format(DateLayout)
	var out []Closure
	for _, c := range p.Closures {
		if c.Date >= today {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Closure) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// NormalizePostcodes trims, checks, sorts and de-duplicates delivery
// postcodes, given as a list or as one text separated by spaces or commas.
func NormalizePostcodes(in []string) ([]string, error) {
	out := []string{}
	for _, s := range in {
		for _, pc := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
			if !postcodeRE.MatchString(pc) {
				return nil, errs.E(errs.Invalid, "delivery postcode %q is not five digits", pc).With("field", "delivery_postcodes")
			}
			out = append(out, pc)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// NormalizeCode upper-cases a pizzeria's code and checks it: two to eight
// letters or digits, the prefix of its order numbers.
func NormalizeCode(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) < 2 || len(code) > 8 || strings.IndexFunc(code, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0 {
		return code, errs.E(errs.Invalid, "a pizzeria's code is 2 to 8 letters or digits").With("field", "code")
	}
	return code, nil
}

// ParseClock reads a time of day written "18:30" (or "18h30", "18 h 30")
// as minutes after midnight.
func ParseClock(s string) (int, error) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "")
	s = strings.Replace(s, "h", ":", 1)
	if strings.HasSuffix(s, ":") {
		s += "00"
	}
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m > 0 {
		return 0, errs.E(errs.Invalid, "%q is not a time of day (HH:MM)", s)
	}
	return h*60 + m, nil
}

// SpanOf builds one opening span from two times of day as a manager types
// them; a closing time before the opening one is after midnight.
func SpanOf(day time.Weekday, open, close string) (Hours, error) {
	o, err := ParseClock(open)
	if err != nil {
		return Hours{}, err
	}
	c, err := ParseClock(close)
	if err != nil {
		return Hours{}, err
	}
	if c <= o {
		c += 24 * 60
	}
	h := Hours{Weekday: day, Open: o, Close: c}
	return h, ValidateHours([]Hours{h})
}

// FormatClock writes minutes after midnight as "18:30" (past midnight for
// a span that ends the next day, "00:30").
func FormatClock(minutes int) string {
	minutes %= 24 * 60
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}
