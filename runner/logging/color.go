package logging

import (
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// UseColor decides colour for one stream: mode is "auto", "always" or "never".
//
// "always" and "never" win over the environment. In "auto" mode: NO_COLOR
// (non-empty) turns colour off; FORCE_COLOR (non-empty) turns it on, except
// that FORCE_COLOR=0 or =false turns it off as Node's supports-color does;
// otherwise colour is used when f is a terminal and TERM is not "dumb".
// Unknown modes behave like "auto".
//
// fatih/color only looks at stdout and ignores FORCE_COLOR, so the logger
// decides per stream here and sets each color object explicitly.
func UseColor(mode string, f *os.File) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	switch force := os.Getenv("FORCE_COLOR"); force {
	case "":
	case "0", "false":
		return false
	default:
		return true
	}
	return os.Getenv("TERM") != "dumb" && IsTerminal(f)
}

// IsTerminal reports whether f is a terminal (a person is watching it).
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// palette holds the styles for one stream. Every color object has colour
// switched on or off explicitly, so the global color.NoColor (which only
// describes stdout) never decides for us.
type palette struct {
	on bool

	dim, bold, url      *color.Color
	green, cyan, yellow *color.Color
	red, boldRed        *color.Color
	slow                *color.Color
}

func newPalette(on bool) *palette {
	p := &palette{on: on}
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	p.dim = mk(color.Faint)
	p.bold = mk(color.Bold)
	p.url = mk(color.Bold, color.Underline)
	p.green = mk(color.FgGreen)
	p.cyan = mk(color.FgCyan)
	p.yellow = mk(color.FgYellow)
	p.red = mk(color.FgRed)
	p.boldRed = mk(color.FgRed, color.Bold)
	p.slow = mk(color.FgYellow, color.Bold)
	return p
}

// status picks the style for an HTTP status by class.
func (p *palette) status(code int) *color.Color {
	switch {
	case code >= 500:
		return p.boldRed
	case code >= 400:
		return p.yellow
	case code >= 300:
		return p.cyan
	case code >= 200:
		return p.green
	default:
		return p.dim
	}
}
