package pymod

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
)

// A datetime subset: timedelta, date, datetime and fixed-offset timezones.

// TimeDelta is datetime.timedelta, kept as microseconds.
type TimeDelta struct{ us int64 }

// Date is datetime.date.
type Date struct{ y, m, d int }

// DateTime is datetime.datetime: the wall-clock time, plus an offset when
// aware.
type DateTime struct {
	wall  time.Time // wall clock, in UTC location
	tz    *TZ       // nil when naive
	micro int
}

// TZ is datetime.timezone (a fixed offset).
type TZ struct {
	off  int64 // seconds east of UTC
	name string
}

var (
	TimeDeltaType = newType("timedelta", "Difference between two datetime values.", nil)
	DateType      = newType("date", "date(year, month, day)", nil)
	DateTimeType  = newType("datetime", "datetime(year, month, day[, hour[, minute[, second[, microsecond[,tzinfo]]]]])", nil)
	TZType        = newType("timezone", "Fixed offset from UTC implementation of tzinfo.", nil)
	utc           = &TZ{off: 0, name: "UTC"}
)

func (*TimeDelta) Type() *py.Type { return TimeDeltaType }
func (*Date) Type() *py.Type      { return DateType }
func (*DateTime) Type() *py.Type  { return DateTimeType }
func (*TZ) Type() *py.Type        { return TZType }

const usPerDay = 86400 * 1000000

func (td *TimeDelta) parts() (days, secs, us int64) {
	days = td.us / usPerDay
	rem := td.us % usPerDay
	if rem < 0 {
		rem += usPerDay
		days--
	}
	return days, rem / 1000000, rem % 1000000
}

// M__str__ is "1 day, 2:03:04.000005".
func (td *TimeDelta) M__str__() (py.Object, error) {
	d, s, us := td.parts()
	out := fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	if d != 0 {
		plural := "s"
		if d == 1 || d == -1 {
			plural = ""
		}
		out = fmt.Sprintf("%d day%s, %s", d, plural, out)
	}
	return py.String(out), nil
}

// M__repr__ is datetime.timedelta(days=1, seconds=2).
func (td *TimeDelta) M__repr__() (py.Object, error) {
	d, s, us := td.parts()
	var parts []string
	if d != 0 {
		parts = append(parts, fmt.Sprintf("days=%d", d))
	}
	if s != 0 {
		parts = append(parts, fmt.Sprintf("seconds=%d", s))
	}
	if us != 0 {
		parts = append(parts, fmt.Sprintf("microseconds=%d", us))
	}
	if len(parts) == 0 {
		parts = []string{"0"}
	}
	return py.String("datetime.timedelta(" + strings.Join(parts, ", ") + ")"), nil
}

func (td *TimeDelta) M__add__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *TimeDelta:
		return &TimeDelta{td.us + x.us}, nil
	case *DateTime:
		return x.M__add__(td)
	case *Date:
		return x.M__add__(td)
	}
	return py.NotImplemented, nil
}
func (td *TimeDelta) M__radd__(o py.Object) (py.Object, error) { return td.M__add__(o) }
func (td *TimeDelta) M__sub__(o py.Object) (py.Object, error) {
	if x, ok := o.(*TimeDelta); ok {
		return &TimeDelta{td.us - x.us}, nil
	}
	return py.NotImplemented, nil
}
func (td *TimeDelta) M__neg__() (py.Object, error) { return &TimeDelta{-td.us}, nil }
func (td *TimeDelta) M__pos__() (py.Object, error) { return td, nil }
func (td *TimeDelta) M__abs__() (py.Object, error) {
	if td.us < 0 {
		return &TimeDelta{-td.us}, nil
	}
	return td, nil
}
func (td *TimeDelta) M__mul__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case py.Int:
		return &TimeDelta{td.us * int64(x)}, nil
	case py.Float:
		return &TimeDelta{int64(math.RoundToEven(float64(td.us) * float64(x)))}, nil
	}
	return py.NotImplemented, nil
}
func (td *TimeDelta) M__rmul__(o py.Object) (py.Object, error) { return td.M__mul__(o) }
func (td *TimeDelta) M__truediv__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *TimeDelta:
		if x.us == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return py.Float(float64(td.us) / float64(x.us)), nil
	case py.Int:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return &TimeDelta{int64(math.RoundToEven(float64(td.us) / float64(x)))}, nil
	case py.Float:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "division by zero")
		}
		return &TimeDelta{int64(math.RoundToEven(float64(td.us) / float64(x)))}, nil
	}
	return py.NotImplemented, nil
}
func (td *TimeDelta) M__floordiv__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *TimeDelta:
		if x.us == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "integer division or modulo by zero")
		}
		return py.Int(floorDiv(td.us, x.us)), nil
	case py.Int:
		if x == 0 {
			return nil, py.ExceptionNewf(py.ZeroDivisionError, "integer division or modulo by zero")
		}
		return &TimeDelta{floorDiv(td.us, int64(x))}, nil
	}
	return py.NotImplemented, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (td *TimeDelta) M__bool__() (py.Object, error) { return py.NewBool(td.us != 0), nil }
func (td *TimeDelta) M__eq__(o py.Object) (py.Object, error) {
	x, ok := o.(*TimeDelta)
	return py.NewBool(ok && x.us == td.us), nil
}
func (td *TimeDelta) M__ne__(o py.Object) (py.Object, error) {
	x, ok := o.(*TimeDelta)
	return py.NewBool(!ok || x.us != td.us), nil
}
func (td *TimeDelta) M__lt__(o py.Object) (py.Object, error) {
	if x, ok := o.(*TimeDelta); ok {
		return py.NewBool(td.us < x.us), nil
	}
	return py.NotImplemented, nil
}
func (td *TimeDelta) M__gt__(o py.Object) (py.Object, error) {
	if x, ok := o.(*TimeDelta); ok {
		return py.NewBool(td.us > x.us), nil
	}
	return py.NotImplemented, nil
}

func newTimeDelta(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("timedelta", args, kwargs, []string{"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"}, 0)
	if err != nil {
		return nil, err
	}
	mult := []float64{usPerDay, 1e6, 1, 1e3, 60e6, 3600e6, 7 * usPerDay}
	var total float64
	var exact int64
	for i, v := range a {
		switch x := v.(type) {
		case nil:
		case py.Int:
			exact += int64(x) * int64(mult[i])
		case py.Float:
			total += float64(x) * mult[i]
		default:
			return nil, py.ExceptionNewf(py.TypeError, "unsupported type for timedelta component: %s", shims.TypeName(v))
		}
	}
	return &TimeDelta{exact + int64(math.RoundToEven(total))}, nil
}

func civil(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func checkDate(y, m, d int) error {
	if y < 1 || y > 9999 {
		return py.ExceptionNewf(py.ValueError, "year %d is out of range", y)
	}
	if m < 1 || m > 12 {
		return py.ExceptionNewf(py.ValueError, "month must be in 1..12")
	}
	if d < 1 || d > civil(y, m+1, 0).Day() {
		return py.ExceptionNewf(py.ValueError, "day is out of range for month")
	}
	return nil
}

func dateFromTime(t time.Time) *Date { return &Date{t.Year(), int(t.Month()), t.Day()} }

func (d *Date) time() time.Time { return civil(d.y, d.m, d.d) }

func (d *Date) M__str__() (py.Object, error) {
	return py.String(fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)), nil
}
func (d *Date) M__repr__() (py.Object, error) {
	return py.String(fmt.Sprintf("datetime.date(%d, %d, %d)", d.y, d.m, d.d)), nil
}
func (d *Date) M__add__(o py.Object) (py.Object, error) {
	if x, ok := o.(*TimeDelta); ok {
		days, _, _ := x.parts()
		return dateFromTime(d.time().AddDate(0, 0, int(days))), nil
	}
	return py.NotImplemented, nil
}
func (d *Date) M__radd__(o py.Object) (py.Object, error) { return d.M__add__(o) }
func (d *Date) M__sub__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *TimeDelta:
		return d.M__add__(&TimeDelta{-x.us})
	case *Date:
		return &TimeDelta{int64(d.time().Sub(x.time()).Hours()/24) * usPerDay}, nil
	}
	return py.NotImplemented, nil
}
func (d *Date) cmp(o py.Object) (int, bool) {
	x, ok := o.(*Date)
	if !ok {
		return 0, false
	}
	a, b := d.time(), x.time()
	switch {
	case a.Before(b):
		return -1, true
	case a.After(b):
		return 1, true
	}
	return 0, true
}
func (d *Date) M__eq__(o py.Object) (py.Object, error) {
	c, ok := d.cmp(o)
	return py.NewBool(ok && c == 0), nil
}
func (d *Date) M__ne__(o py.Object) (py.Object, error) {
	c, ok := d.cmp(o)
	return py.NewBool(!ok || c != 0), nil
}
func (d *Date) M__lt__(o py.Object) (py.Object, error) {
	if c, ok := d.cmp(o); ok {
		return py.NewBool(c < 0), nil
	}
	return py.NotImplemented, nil
}
func (d *Date) M__gt__(o py.Object) (py.Object, error) {
	if c, ok := d.cmp(o); ok {
		return py.NewBool(c > 0), nil
	}
	return py.NotImplemented, nil
}

func (dt *DateTime) M__str__() (py.Object, error) { return py.String(dt.isoformat(" ", "auto")), nil }
func (dt *DateTime) M__repr__() (py.Object, error) {
	t := dt.wall
	s := fmt.Sprintf("datetime.datetime(%d, %d, %d, %d, %d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
	if t.Second() != 0 || dt.micro != 0 {
		s += fmt.Sprintf(", %d", t.Second())
	}
	if dt.micro != 0 {
		s += fmt.Sprintf(", %d", dt.micro)
	}
	if dt.tz != nil {
		r, _ := dt.tz.M__repr__()
		s += ", tzinfo=" + string(r.(py.String))
	}
	return py.String(s + ")"), nil
}

func offsetString(off int64, sep string) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d%s%02d", sign, off/3600, sep, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf("%s%02d", sep, off%60)
	}
	return s
}

func (dt *DateTime) isoformat(sep, timespec string) string {
	t := dt.wall
	s := fmt.Sprintf("%04d-%02d-%02d%s%02d:%02d", t.Year(), t.Month(), t.Day(), sep, t.Hour(), t.Minute())
	switch timespec {
	case "hours":
		s = s[:len(s)-3]
	case "minutes":
	case "seconds":
		s += fmt.Sprintf(":%02d", t.Second())
	case "milliseconds":
		s += fmt.Sprintf(":%02d.%03d", t.Second(), dt.micro/1000)
	case "microseconds":
		s += fmt.Sprintf(":%02d.%06d", t.Second(), dt.micro)
	default:
		s += fmt.Sprintf(":%02d", t.Second())
		if dt.micro != 0 {
			s += fmt.Sprintf(".%06d", dt.micro)
		}
	}
	if dt.tz != nil {
		s += offsetString(dt.tz.off, ":")
	}
	return s
}

// instant is the absolute time of an aware datetime (or the wall time).
func (dt *DateTime) instant() time.Time {
	t := dt.wall.Add(time.Duration(dt.micro) * time.Microsecond)
	if dt.tz != nil {
		t = t.Add(-time.Duration(dt.tz.off) * time.Second)
	}
	return t
}

func fromInstant(t time.Time, tz *TZ) *DateTime {
	if tz != nil {
		t = t.Add(time.Duration(tz.off) * time.Second)
	}
	t = t.UTC()
	micro := t.Nanosecond() / 1000
	return &DateTime{wall: t.Truncate(time.Second), tz: tz, micro: micro}
}

func (dt *DateTime) M__add__(o py.Object) (py.Object, error) {
	if x, ok := o.(*TimeDelta); ok {
		w := dt.wall.Add(time.Duration(dt.micro)*time.Microsecond + time.Duration(x.us)*time.Microsecond)
		return &DateTime{wall: w.Truncate(time.Second), tz: dt.tz, micro: w.Nanosecond() / 1000}, nil
	}
	return py.NotImplemented, nil
}
func (dt *DateTime) M__radd__(o py.Object) (py.Object, error) { return dt.M__add__(o) }
func (dt *DateTime) M__sub__(o py.Object) (py.Object, error) {
	switch x := o.(type) {
	case *TimeDelta:
		return dt.M__add__(&TimeDelta{-x.us})
	case *DateTime:
		if (dt.tz == nil) != (x.tz == nil) {
			return nil, py.ExceptionNewf(py.TypeError, "can't subtract offset-naive and offset-aware datetimes")
		}
		return &TimeDelta{dt.instant().Sub(x.instant()).Microseconds()}, nil
	}
	return py.NotImplemented, nil
}
func (dt *DateTime) cmp(o py.Object) (int, error) {
	x, ok := o.(*DateTime)
	if !ok {
		return 0, errNotDT
	}
	if (dt.tz == nil) != (x.tz == nil) {
		return 0, py.ExceptionNewf(py.TypeError, "can't compare offset-naive and offset-aware datetimes")
	}
	a, b := dt.instant(), x.instant()
	switch {
	case a.Before(b):
		return -1, nil
	case a.After(b):
		return 1, nil
	}
	return 0, nil
}

var errNotDT = fmt.Errorf("not a datetime")

func (dt *DateTime) M__eq__(o py.Object) (py.Object, error) {
	c, err := dt.cmp(o)
	if err != nil {
		return py.False, nil
	}
	return py.NewBool(c == 0), nil
}
func (dt *DateTime) M__ne__(o py.Object) (py.Object, error) {
	r, _ := dt.M__eq__(o)
	return py.NewBool(r != py.True), nil
}
func (dt *DateTime) M__lt__(o py.Object) (py.Object, error) {
	c, err := dt.cmp(o)
	if err == errNotDT {
		return py.NotImplemented, nil
	}
	return py.NewBool(c < 0), err
}
func (dt *DateTime) M__gt__(o py.Object) (py.Object, error) {
	c, err := dt.cmp(o)
	if err == errNotDT {
		return py.NotImplemented, nil
	}
	return py.NewBool(c > 0), err
}

func (z *TZ) M__str__() (py.Object, error) {
	if z.name != "" {
		return py.String(z.name), nil
	}
	if z.off == 0 {
		return py.String("UTC"), nil
	}
	return py.String("UTC" + offsetString(z.off, ":")), nil
}
func (z *TZ) M__repr__() (py.Object, error) {
	if z == utc || (z.off == 0 && z.name == "UTC") {
		return py.String("datetime.timezone.utc"), nil
	}
	r, _ := (&TimeDelta{z.off * 1000000}).M__repr__()
	return py.String("datetime.timezone(" + string(r.(py.String)) + ")"), nil
}
func (z *TZ) M__eq__(o py.Object) (py.Object, error) {
	x, ok := o.(*TZ)
	return py.NewBool(ok && x.off == z.off), nil
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// Strftime formats t (wall clock) with Python's directives.
func Strftime(format string, t time.Time, micro int, tz *TZ) string {
	var b strings.Builder
	wd := (int(t.Weekday()) + 6) % 7
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(dayNames[wd][:3])
		case 'A':
			b.WriteString(dayNames[wd])
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'b', 'h':
			b.WriteString(monthNames[t.Month()-1][:3])
		case 'B':
			b.WriteString(monthNames[t.Month()-1])
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", micro)
		case 'z':
			if tz != nil {
				b.WriteString(offsetString(tz.off, ""))
			}
		case 'Z':
			if tz != nil {
				s, _ := tz.M__str__()
				b.WriteString(string(s.(py.String)))
			}
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'U':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-int(t.Weekday()))/7)
		case 'W':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-wd)/7)
		case 'c':
			fmt.Fprintf(&b, "%s %s %2d %02d:%02d:%02d %d", dayNames[wd][:3], monthNames[t.Month()-1][:3], t.Day(), t.Hour(), t.Minute(), t.Second(), t.Year())
		case 'x':
			fmt.Fprintf(&b, "%02d/%02d/%02d", int(t.Month()), t.Day(), t.Year()%100)
		case 'X':
			fmt.Fprintf(&b, "%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func tzArg(o py.Object) (*TZ, error) {
	switch x := o.(type) {
	case nil, py.NoneType:
		return nil, nil
	case *TZ:
		return x, nil
	}
	return nil, py.ExceptionNewf(py.TypeError, "tzinfo argument must be None or of a tzinfo subclass, not type '%s'", shims.TypeName(o))
}

func newDateTime(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	a, err := parseArgs("datetime", args, kwargs, []string{"year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"}, 3)
	if err != nil {
		return nil, err
	}
	var v [7]int
	for i := 0; i < 7; i++ {
		if v[i], err = intArg("datetime", a[i], 0); err != nil {
			return nil, err
		}
	}
	if err := checkDate(v[0], v[1], v[2]); err != nil {
		return nil, err
	}
	if v[3] < 0 || v[3] > 23 || v[4] < 0 || v[4] > 59 || v[5] < 0 || v[5] > 59 || v[6] < 0 || v[6] > 999999 {
		return nil, py.ExceptionNewf(py.ValueError, "time component out of range")
	}
	tz, err := tzArg(a[7])
	if err != nil {
		return nil, err
	}
	return &DateTime{wall: time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC), tz: tz, micro: v[6]}, nil
}

func parseISO(s string) (*DateTime, error) {
	bad := py.ExceptionNewf(py.ValueError, "Invalid isoformat string: %s", shims.Quote(s))
	if len(s) < 10 {
		return nil, bad
	}
	y, e1 := strconv.Atoi(s[0:4])
	m, e2 := strconv.Atoi(s[5:7])
	d, e3 := strconv.Atoi(s[8:10])
	if e1 != nil || e2 != nil || e3 != nil || s[4] != '-' || s[7] != '-' || checkDate(y, m, d) != nil {
		return nil, bad
	}
	dt := &DateTime{wall: civil(y, m, d)}
	rest := s[10:]
	if rest == "" {
		return dt, nil
	}
	rest = rest[1:]
	var tzPart string
	if i := strings.IndexAny(rest, "+-Z"); i >= 0 {
		rest, tzPart = rest[:i], rest[i:]
	}
	var h, mi, sec, micro int
	parts := strings.Split(rest, ":")
	if len(parts) < 2 {
		return nil, bad
	}
	h, e1 = strconv.Atoi(parts[0])
	mi, e2 = strconv.Atoi(parts[1])
	if e1 != nil || e2 != nil {
		return nil, bad
	}
	if len(parts) > 2 {
		secs, frac, _ := strings.Cut(parts[2], ".")
		if sec, e1 = strconv.Atoi(secs); e1 != nil {
			return nil, bad
		}
		if frac != "" {
			frac = (frac + "000000")[:6]
			micro, _ = strconv.Atoi(frac)
		}
	}
	dt.wall = time.Date(y, time.Month(m), d, h, mi, sec, 0, time.UTC)
	dt.micro = micro
	if tzPart == "Z" {
		dt.tz = utc
	} else if tzPart != "" {
		sign := int64(1)
		if tzPart[0] == '-' {
			sign = -1
		}
		hm := strings.ReplaceAll(tzPart[1:], ":", "")
		if len(hm) < 4 {
			return nil, bad
		}
		oh, _ := strconv.Atoi(hm[:2])
		om, _ := strconv.Atoi(hm[2:4])
		dt.tz = &TZ{off: sign * int64(oh*3600+om*60)}
	}
	return dt, nil
}

// strptime parses with Python directives (the common ones).
func strptime(s, format string) (*DateTime, error) {
	y, m, d, h, mi, sec, micro := 1900, 1, 1, 0, 0, 0, 0
	var tz *TZ
	pm := -1
	bad := func() error {
		return py.ExceptionNewf(py.ValueError, "time data %s does not match format %s", shims.Quote(s), shims.Quote(format))
	}
	si := 0
	num := func(max int) (int, error) {
		j := si
		for j < len(s) && j-si < max && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == si {
			return 0, bad()
		}
		v, _ := strconv.Atoi(s[si:j])
		si = j
		return v, nil
	}
	name := func(names []string) (int, error) {
		for i, n := range names {
			for _, cand := range []string{n, n[:3]} {
				if len(s)-si >= len(cand) && strings.EqualFold(s[si:si+len(cand)], cand) {
					si += len(cand)
					return i, nil
				}
			}
		}
		return 0, bad()
	}
	var err error
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			if si >= len(s) || s[si] != c {
				return nil, bad()
			}
			si++
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			y, err = num(4)
		case 'y':
			y, err = num(2)
			if y < 69 {
				y += 2000
			} else {
				y += 1900
			}
		case 'm':
			m, err = num(2)
		case 'd':
			d, err = num(2)
		case 'H':
			h, err = num(2)
		case 'I':
			h, err = num(2)
		case 'M':
			mi, err = num(2)
		case 'S':
			sec, err = num(2)
		case 'f':
			start := si
			micro, err = num(6)
			for k := si - start; k < 6; k++ {
				micro *= 10
			}
		case 'b', 'B', 'h':
			var k int
			k, err = name(monthNames)
			m = k + 1
		case 'a', 'A':
			_, err = name(dayNames)
		case 'p':
			if len(s)-si >= 2 {
				switch strings.ToUpper(s[si : si+2]) {
				case "AM":
					pm = 0
				case "PM":
					pm = 1
				default:
					err = bad()
				}
				si += 2
			} else {
				err = bad()
			}
		case 'z':
			if si < len(s) && s[si] == 'Z' {
				tz, si = utc, si+1
				break
			}
			if si+5 > len(s) {
				return nil, bad()
			}
			sign := int64(1)
			if s[si] == '-' {
				sign = -1
			} else if s[si] != '+' {
				return nil, bad()
			}
			hm := strings.ReplaceAll(s[si+1:], ":", "")
			if len(hm) < 4 {
				return nil, bad()
			}
			oh, _ := strconv.Atoi(hm[:2])
			om, _ := strconv.Atoi(hm[2:4])
			tz = &TZ{off: sign * int64(oh*3600+om*60)}
			if strings.Contains(s[si:si+6], ":") {
				si += 6
			} else {
				si += 5
			}
		case '%':
			if si >= len(s) || s[si] != '%' {
				return nil, bad()
			}
			si++
		default:
			return nil, py.ExceptionNewf(py.ValueError, "'%c' is a bad directive in format %s (not supported by gowsgi's gpython engine)", format[i], shims.Quote(format))
		}
		if err != nil {
			return nil, err
		}
	}
	if si != len(s) {
		return nil, py.ExceptionNewf(py.ValueError, "unconverted data remains: %s", s[si:])
	}
	if pm == 1 && h < 12 {
		h += 12
	} else if pm == 0 && h == 12 {
		h = 0
	}
	if err := checkDate(y, m, d); err != nil {
		return nil, err
	}
	return &DateTime{wall: time.Date(y, time.Month(m), d, h, mi, sec, 0, time.UTC), micro: micro, tz: tz}, nil
}

func registerDatetime() {
	TimeDeltaType.New = newTimeDelta
	DateTimeType.New = newDateTime
	DateType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("date", args, kwargs, []string{"year", "month", "day"}, 3)
		if err != nil {
			return nil, err
		}
		var v [3]int
		for i := range v {
			if v[i], err = intArg("date", a[i], 0); err != nil {
				return nil, err
			}
		}
		if err := checkDate(v[0], v[1], v[2]); err != nil {
			return nil, err
		}
		return &Date{v[0], v[1], v[2]}, nil
	}
	TZType.New = func(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("timezone", args, kwargs, []string{"offset", "name"}, 1)
		if err != nil {
			return nil, err
		}
		td, ok := a[0].(*TimeDelta)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "timezone() argument 1 must be datetime.timedelta")
		}
		z := &TZ{off: td.us / 1000000}
		if a[1] != nil {
			if z.name, err = str("timezone", a[1]); err != nil {
				return nil, err
			}
		}
		return z, nil
	}
	TZType.Dict["utc"] = utc
	TZType.Dict["utcoffset"] = py.MustNewMethod("utcoffset", func(self py.Object, args py.Tuple) (py.Object, error) {
		return &TimeDelta{self.(*TZ).off * 1000000}, nil
	}, 0, "")
	TZType.Dict["tzname"] = py.MustNewMethod("tzname", func(self py.Object, args py.Tuple) (py.Object, error) {
		return self.(*TZ).M__str__()
	}, 0, "")

	TimeDeltaType.Dict["total_seconds"] = py.MustNewMethod("total_seconds", func(self py.Object) (py.Object, error) {
		return py.Float(float64(self.(*TimeDelta).us) / 1e6), nil
	}, 0, "")
	for i, n := range []string{"days", "seconds", "microseconds"} {
		i := i
		TimeDeltaType.Dict[n] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
			d, s, us := self.(*TimeDelta).parts()
			return py.Int([]int64{d, s, us}[i]), nil
		}}
	}
	for i, n := range []string{"year", "month", "day"} {
		i := i
		DateType.Dict[n] = &py.Property{Fget: func(self py.Object) (py.Object, error) {
			d := self.(*Date)
			return py.Int([]int{d.y, d.m, d.d}[i]), nil
		}}
	}
	dtFields := map[string]func(dt *DateTime) py.Object{
		"year": func(dt *DateTime) py.Object { return py.Int(dt.wall.Year()) }, "month": func(dt *DateTime) py.Object { return py.Int(dt.wall.Month()) },
		"day": func(dt *DateTime) py.Object { return py.Int(dt.wall.Day()) }, "hour": func(dt *DateTime) py.Object { return py.Int(dt.wall.Hour()) },
		"minute": func(dt *DateTime) py.Object { return py.Int(dt.wall.Minute()) }, "second": func(dt *DateTime) py.Object { return py.Int(dt.wall.Second()) },
		"microsecond": func(dt *DateTime) py.Object { return py.Int(dt.micro) },
		"tzinfo": func(dt *DateTime) py.Object {
			if dt.tz == nil {
				return py.None
			}
			return dt.tz
		},
	}
	for n, f := range dtFields {
		f := f
		DateTimeType.Dict[n] = &py.Property{Fget: func(self py.Object) (py.Object, error) { return f(self.(*DateTime)), nil }}
	}
	weekday := func(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }
	methods(DateType, map[string]interface{}{
		"isoformat":  func(self py.Object) (py.Object, error) { return self.(*Date).M__str__() },
		"weekday":    func(self py.Object) (py.Object, error) { return py.Int(weekday(self.(*Date).time())), nil },
		"isoweekday": func(self py.Object) (py.Object, error) { return py.Int(weekday(self.(*Date).time()) + 1), nil },
		"toordinal": func(self py.Object) (py.Object, error) {
			return py.Int(int(self.(*Date).time().Sub(civil(1, 1, 1)).Hours()/24) + 1), nil
		},
		"strftime": func(self, f py.Object) (py.Object, error) {
			s, err := str("strftime", f)
			if err != nil {
				return nil, err
			}
			return py.String(Strftime(s, self.(*Date).time(), 0, nil)), nil
		},
		"replace": func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			d := *self.(*Date)
			a, err := parseArgs("replace", args, kwargs, []string{"year", "month", "day"}, 0)
			if err != nil {
				return nil, err
			}
			for i, p := range []*int{&d.y, &d.m, &d.d} {
				if *p, err = intArg("replace", a[i], *p); err != nil {
					return nil, err
				}
			}
			if err := checkDate(d.y, d.m, d.d); err != nil {
				return nil, err
			}
			return &d, nil
		},
	})
	DateType.Dict["today"] = &shims.ClassMethod{Callable: fn("today", func(self py.Object, args py.Tuple) (py.Object, error) {
		return dateFromTime(time.Now()), nil
	})}
	DateType.Dict["fromisoformat"] = &shims.ClassMethod{Callable: fn("fromisoformat", func(self py.Object, args py.Tuple) (py.Object, error) {
		if len(args) != 1 {
			return nil, py.ExceptionNewf(py.TypeError, "fromisoformat() takes 1 argument")
		}
		s, err := str("fromisoformat", args[0])
		if err != nil {
			return nil, err
		}
		dt, err := parseISO(s)
		if err != nil || len(s) != 10 {
			return nil, py.ExceptionNewf(py.ValueError, "Invalid isoformat string: %s", shims.Quote(s))
		}
		return dateFromTime(dt.wall), nil
	})}
	methods(DateTimeType, map[string]interface{}{
		"isoformat": func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			a, err := parseArgs("isoformat", args, kwargs, []string{"sep", "timespec"}, 0)
			if err != nil {
				return nil, err
			}
			sep, spec := "T", "auto"
			if a[0] != nil {
				if sep, err = str("isoformat", a[0]); err != nil {
					return nil, err
				}
			}
			if a[1] != nil {
				if spec, err = str("isoformat", a[1]); err != nil {
					return nil, err
				}
			}
			return py.String(self.(*DateTime).isoformat(sep, spec)), nil
		},
		"strftime": func(self, f py.Object) (py.Object, error) {
			s, err := str("strftime", f)
			if err != nil {
				return nil, err
			}
			dt := self.(*DateTime)
			return py.String(Strftime(s, dt.wall, dt.micro, dt.tz)), nil
		},
		"timestamp": func(self py.Object) (py.Object, error) {
			dt := self.(*DateTime)
			t := dt.instant()
			if dt.tz == nil {
				// naive datetimes are local time; gowsgi workers run in the process's zone
				local := time.Date(dt.wall.Year(), dt.wall.Month(), dt.wall.Day(), dt.wall.Hour(), dt.wall.Minute(), dt.wall.Second(), dt.micro*1000, time.Local)
				t = local
			}
			return py.Float(float64(t.UnixNano()) / 1e9), nil
		},
		"date":       func(self py.Object) (py.Object, error) { return dateFromTime(self.(*DateTime).wall), nil },
		"weekday":    func(self py.Object) (py.Object, error) { return py.Int(weekday(self.(*DateTime).wall)), nil },
		"isoweekday": func(self py.Object) (py.Object, error) { return py.Int(weekday(self.(*DateTime).wall) + 1), nil },
		"utcoffset": func(self py.Object) (py.Object, error) {
			dt := self.(*DateTime)
			if dt.tz == nil {
				return py.None, nil
			}
			return &TimeDelta{dt.tz.off * 1000000}, nil
		},
		"astimezone": func(self py.Object, args py.Tuple) (py.Object, error) {
			dt := self.(*DateTime)
			var tz *TZ
			if len(args) > 0 {
				var err error
				if tz, err = tzArg(args[0]); err != nil {
					return nil, err
				}
			}
			inst := dt.instant()
			if dt.tz == nil {
				inst = time.Date(dt.wall.Year(), dt.wall.Month(), dt.wall.Day(), dt.wall.Hour(), dt.wall.Minute(), dt.wall.Second(), dt.micro*1000, time.Local)
			}
			if tz == nil {
				_, off := inst.In(time.Local).Zone()
				tz = &TZ{off: int64(off)}
			}
			return fromInstant(inst, tz), nil
		},
		"replace": func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			dt := self.(*DateTime)
			a, err := parseArgs("replace", args, kwargs, []string{"year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"}, 0)
			if err != nil {
				return nil, err
			}
			w := dt.wall
			cur := []int{w.Year(), int(w.Month()), w.Day(), w.Hour(), w.Minute(), w.Second(), dt.micro}
			for i := range cur {
				if cur[i], err = intArg("replace", a[i], cur[i]); err != nil {
					return nil, err
				}
			}
			if err := checkDate(cur[0], cur[1], cur[2]); err != nil {
				return nil, err
			}
			tz := dt.tz
			if _, ok := kwargs["tzinfo"]; ok || len(args) > 7 {
				if tz, err = tzArg(a[7]); err != nil {
					return nil, err
				}
			}
			return &DateTime{wall: time.Date(cur[0], time.Month(cur[1]), cur[2], cur[3], cur[4], cur[5], 0, time.UTC), micro: cur[6], tz: tz}, nil
		},
	})
	now := func(tz *TZ) *DateTime {
		t := time.Now()
		if tz == nil {
			_, off := t.Zone()
			w := t.UTC().Add(time.Duration(off) * time.Second)
			return &DateTime{wall: w.Truncate(time.Second), micro: w.Nanosecond() / 1000}
		}
		return fromInstant(t, tz)
	}
	cm := func(name string, f func(args py.Tuple, kwargs py.StringDict) (py.Object, error)) {
		DateTimeType.Dict[name] = &shims.ClassMethod{Callable: fn(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			return f(args, kwargs)
		})}
	}
	cm("now", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("now", args, kwargs, []string{"tz"}, 0)
		if err != nil {
			return nil, err
		}
		tz, err := tzArg(a[0])
		if err != nil {
			return nil, err
		}
		return now(tz), nil
	})
	cm("today", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) { return now(nil), nil })
	cm("utcnow", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		d := fromInstant(time.Now(), utc)
		d.tz = nil
		return d, nil
	})
	cm("fromtimestamp", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		a, err := parseArgs("fromtimestamp", args, kwargs, []string{"timestamp", "tz"}, 1)
		if err != nil {
			return nil, err
		}
		f, err := floatArg("fromtimestamp", a[0])
		if err != nil {
			return nil, err
		}
		tz, err := tzArg(a[1])
		if err != nil {
			return nil, err
		}
		sec, frac := math.Modf(f)
		t := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000)
		if tz == nil {
			_, off := t.Zone()
			return fromInstant(t, &TZ{off: int64(off)}).naive(), nil
		}
		return fromInstant(t, tz), nil
	})
	cm("utcfromtimestamp", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) != 1 {
			return nil, py.ExceptionNewf(py.TypeError, "utcfromtimestamp() takes 1 argument")
		}
		f, err := floatArg("utcfromtimestamp", args[0])
		if err != nil {
			return nil, err
		}
		sec, frac := math.Modf(f)
		return fromInstant(time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000), utc).naive(), nil
	})
	cm("fromisoformat", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) != 1 {
			return nil, py.ExceptionNewf(py.TypeError, "fromisoformat() takes 1 argument")
		}
		s, err := str("fromisoformat", args[0])
		if err != nil {
			return nil, err
		}
		return parseISO(s)
	})
	cm("strptime", func(args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		if len(args) != 2 {
			return nil, py.ExceptionNewf(py.TypeError, "strptime() takes 2 arguments")
		}
		s, err := str("strptime", args[0])
		if err != nil {
			return nil, err
		}
		f, err := str("strptime", args[1])
		if err != nil {
			return nil, err
		}
		return strptime(s, f)
	})
	register("datetime", "Basic date and time types (gowsgi subset).", nil, py.StringDict{
		"timedelta": TimeDeltaType, "date": DateType, "datetime": DateTimeType, "timezone": TZType,
		"MINYEAR": py.Int(1), "MAXYEAR": py.Int(9999),
	})
}

func (dt *DateTime) naive() *DateTime {
	d := *dt
	d.tz = nil
	return &d
}
