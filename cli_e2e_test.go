package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestUsageErrorsExit2: the real binary says one clear line and exits 2.
func TestUsageErrorsExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"web", "--wsgi", "pure.application"}, "daemon mode"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--threads", "0"}, "--threads"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--no-such-flag"}, "--no-such-flag"},
		{[]string{"-n", "web", "--wsgi", "pure.application", "--listen", "tcp:99999"}, "99999"},
	} {
		out, err := gowsgi(testApps, nil, c.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("gowsgi %s: %v, want exit status 2\n%s", strings.Join(c.args, " "), err, out)
			continue
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("gowsgi %s: output does not mention %q:\n%s", strings.Join(c.args, " "), c.want, out)
		}
	}
}
